import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, type MemcachedProcess, startFaultProxy, startMemcached } from '../src';

/** A raw connection that collects everything it receives and tells whether it closed. */
function open(port: number): { socket: Socket; received: () => string; closed: Promise<void> } {
  const socket = connect({ host: '127.0.0.1', port });
  let text = '';
  socket.on('data', (chunk) => {
    text += chunk.toString('latin1');
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => text, closed };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startFaultProxy', () => {
  let server: MemcachedProcess;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startMemcached();
    proxy = await startFaultProxy(server.address);
  });
  afterAll(async () => {
    await proxy.close();
    await server.stop();
  });

  it('forwards both ways in pass mode', async () => {
    proxy.setMode('pass');
    const client = open(proxy.port);
    client.socket.write('version\r\n');
    await expect.poll(client.received).toMatch(/^VERSION /);
    client.socket.destroy();
  });

  it('accepts but never answers in stall mode', async () => {
    proxy.setMode('stall');
    const client = open(proxy.port);
    client.socket.write('version\r\n');
    await sleep(150);
    expect(client.received()).toBe('');
    client.socket.destroy();
  });

  it('closes open and new connections in drop mode', async () => {
    proxy.setMode('pass');
    const before = open(proxy.port);
    await expect.poll(() => proxy.open).toBeGreaterThan(0);
    proxy.setMode('drop');
    await before.closed;
    const after = open(proxy.port);
    await after.closed;
  });

  it('answers garbage without forwarding in garbage mode', async () => {
    proxy.setMode('garbage');
    const client = open(proxy.port);
    client.socket.write('set k 0 0 1\r\nv\r\n');
    await expect.poll(() => client.received().length).toBeGreaterThan(0);
    expect(client.received()).not.toBe('STORED\r\n');
    client.socket.destroy();
  });

  it('hands answers back one byte at a time in drip mode', async () => {
    proxy.setMode('drip');
    const client = open(proxy.port);
    client.socket.write('version\r\n');
    await expect.poll(() => client.received().length).toBeGreaterThan(0);
    expect(client.received().length).toBeLessThan(5);
    await expect.poll(client.received, { timeout: 5000 }).toMatch(/^VERSION .*\r\n$/);
    client.socket.destroy();
  });

  it('cuts an answer in the middle and closes in partial mode', async () => {
    proxy.setMode('partial');
    const client = open(proxy.port);
    client.socket.write('version\r\n');
    await client.closed;
    expect(client.received().length).toBeGreaterThan(0);
    expect(client.received()).not.toMatch(/\r\n$/);
  });
});
