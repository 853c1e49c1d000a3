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

  it('holds requests and answers in hold mode, and delivers all of them once it passes again', async () => {
    proxy.setMode('pass');
    const client = open(proxy.port);
    client.socket.write('set held 0 0 5\r\nhello\r\n');
    await expect.poll(client.received).toBe('STORED\r\n');
    proxy.setMode('hold');
    client.socket.write('get held\r\n');
    client.socket.write('version\r\n');
    await sleep(150);
    expect(client.received()).toBe('STORED\r\n');
    proxy.setMode('pass');
    await expect.poll(client.received).toMatch(/^STORED\r\nVALUE held 0 5\r\nhello\r\nEND\r\nVERSION .*\r\n$/);
    client.socket.destroy();
  });

  it('delivers an answer the server sent while the link was held', async () => {
    proxy.setMode('pass');
    const client = open(proxy.port);
    client.socket.write('version\r\n');
    await expect.poll(client.received).toMatch(/^VERSION /);
    const before = client.received();
    client.socket.write('set late 0 0 1\r\nx\r\n');
    proxy.setMode('hold');
    await sleep(100);
    proxy.setMode('pass');
    await expect.poll(client.received).toBe(`${before}STORED\r\n`);
    client.socket.destroy();
  });

  it('discards what was held when the link drops', async () => {
    proxy.setMode('hold');
    const client = open(proxy.port);
    client.socket.write('set lost 0 0 1\r\ny\r\n');
    await expect.poll(() => proxy.open).toBeGreaterThan(0);
    await sleep(50);
    proxy.setMode('drop');
    await client.closed;
    proxy.setMode('pass');
    const check = open(proxy.port);
    check.socket.write('get lost\r\n');
    await expect.poll(check.received).toBe('END\r\n');
    check.socket.destroy();
  });

  it('cuts an answer in the middle and closes in partial mode', async () => {
    proxy.setMode('partial');
    const client = open(proxy.port);
    client.socket.write('version\r\n');
    await client.closed;
    expect(client.received().length).toBeGreaterThan(0);
    expect(client.received()).not.toMatch(/\r\n$/);
  });

  it('cuts an answer in the middle and aborts the connection in reset mode', async () => {
    // The proxy sends a TCP RST; Node reports it as ECONNRESET, or as an end when the reset
    // arrives before the half answer was read. Either way the rest of the answer is lost.
    proxy.setMode('reset');
    const client = open(proxy.port);
    client.socket.write('version\r\n');
    await client.closed;
    expect(client.received()).toMatch(/^VER/);
    expect(client.received()).not.toMatch(/\r\n$/);
  });
});
