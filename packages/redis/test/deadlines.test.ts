import { CacheSweeperError } from '@cachesweeper/core';
import { type FaultProxy, type RedisProcess, startFaultProxy, startRedis } from '@cachesweeper/test-support';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RedisBackend, type RedisBackendOptions, redisBackend } from '../src';
import { SLACK_MS, sleep, until } from './traffic';

const TIMEOUT_MS = 100;

/** A backend whose first connection is made (so that its first call is not a connection's first). */
async function connected(options: RedisBackendOptions): Promise<RedisBackend> {
  const backend = redisBackend(options);
  await until('connected', () => backend.status().connection === 'ready');
  return backend;
}

/** Runs every operation once, all at the same time, and reports how long each took and whether it failed. */
async function everyOperation(backend: RedisBackend, prefix: string) {
  const key = (name: string) => `${prefix}:${name}`;
  const calls: [string, Promise<unknown>][] = [
    ['get', backend.get(key('get'))],
    ['getMany', backend.getMany([key('a'), key('b')])],
    ['set', backend.set(key('set'), 'v', 0)],
    ['setMany', backend.setMany!([{ key: key('m'), value: 'v', ttlSeconds: 0 }])],
    ['add', backend.add(key('add'), 'v', 0)],
    ['incr', backend.incr(key('counter'), 1)],
    ['delete', backend.delete(key('delete'))],
  ];
  const started = performance.now();
  return Promise.all(
    calls.map(([operation, call]) =>
      call.then(
        () => ({ operation, ok: true, ms: performance.now() - started }),
        (error: unknown) => ({ operation, ok: false, error, ms: performance.now() - started }),
      ),
    ),
  );
}

describe('every call settles once, within its deadline', () => {
  let server: RedisProcess;
  let proxy: FaultProxy;
  let backend: RedisBackend;

  beforeEach(async () => {
    server = await startRedis();
    proxy = await startFaultProxy(server.address);
    backend = await connected({ url: `redis://${proxy.address}`, retryMs: 100 });
    await backend.set('warm', 'up', 0);
  });
  afterEach(async () => {
    await backend.close();
    await proxy.close();
    await server.stop();
  });

  it('while the server is frozen, and its keys read as misses at once after the first missed deadline', async () => {
    await server.freeze();
    const first = await everyOperation(backend, 'frozen');
    expect(first.filter((call) => call.ms > TIMEOUT_MS + SLACK_MS)).toEqual([]);
    expect(first.every((call) => !call.ok)).toBe(true);
    const started = performance.now();
    await expect(backend.get('warm')).rejects.toThrow(/missed a deadline, not asked/);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS);
    expect(backend.status().suspects).toEqual([`${proxy.host}:${proxy.port}`]);
    await server.thaw();
  });

  it('while the server is killed, failing at once instead of queueing', async () => {
    await server.kill();
    await until('disconnected', () => backend.status().connection !== 'ready');
    const calls = await everyOperation(backend, 'killed');
    expect(calls.filter((call) => call.ms > TIMEOUT_MS + SLACK_MS)).toEqual([]);
    expect(calls.every((call) => !call.ok)).toBe(true);
  });

  it.each(['stall', 'garbage'] as const)('while the link %ss', async (mode) => {
    proxy.setMode(mode);
    const calls = await everyOperation(backend, mode);
    expect(calls.filter((call) => call.ms > TIMEOUT_MS + SLACK_MS)).toEqual([]);
    proxy.setMode('pass');
  });

  it('rejects calls in flight at once when the backend is closed, and every call after', async () => {
    await server.freeze();
    const pending = backend.get('warm');
    await sleep(10);
    await backend.close();
    await expect(pending).rejects.toThrow(/closed/);
    await expect(backend.incr('warm', 1)).rejects.toThrow(/after close\(\)/);
    await server.thaw();
  });
});

describe('a bump that failed', () => {
  let server: RedisProcess;
  let proxy: FaultProxy;
  let direct: Redis;
  let backend: RedisBackend;

  beforeEach(async () => {
    server = await startRedis();
    proxy = await startFaultProxy(server.address);
    direct = new Redis(server.url);
  });
  afterEach(async () => {
    await backend.close();
    direct.disconnect();
    await proxy.close();
    await server.stop();
  });

  it('is replayed once Redis answers again, and its key is not read from Redis until then', async () => {
    backend = await connected({ url: `redis://${proxy.address}`, retryMs: 100 });
    await backend.set('cs:Row:=1', '1000', 0);
    proxy.setMode('drop');
    await expect(backend.incr('cs:Row:=1', 1)).rejects.toBeInstanceOf(CacheSweeperError);
    expect(backend.status().pendingBumps).toBe(1);
    proxy.setMode('pass');
    // Until the replay lands, the old counter is never served.
    const read = await backend.get('cs:Row:=1').catch((error: Error) => error.message);
    expect([expect.stringMatching(/waits to be replayed/), '1001']).toContainEqual(read);
    await until('replayed', () => backend.status().pendingBumps === 0);
    expect(await direct.get('cs:Row:=1')).toBe('1001');
    expect(await backend.get('cs:Row:=1')).toBe('1001');
    expect(backend.status().replayed).toBe(1);
  });

  it('is not replayed on a counter that is gone (a restarted server): it stays missing', async () => {
    backend = await connected({ url: server.url, retryMs: 100 });
    await backend.set('cs:Row:=2', '5000', 0);
    await server.kill();
    await expect(backend.incr('cs:Row:=2', 1)).rejects.toBeInstanceOf(CacheSweeperError);
    await server.restart();
    await until('replayed', () => backend.status().pendingBumps === 0);
    expect(await direct.exists('cs:Row:=2')).toBe(0);
  });

  it('past maxPendingBumps, purges its namespace and nothing else', async () => {
    backend = await connected({ url: `redis://${proxy.address}`, retryMs: 100, maxPendingBumps: 2 });
    await direct.set('other-app:session', 'keep me');
    await direct.set('csx:Row:=1', 'another namespace');
    const counters = ['cs:Row:=1', 'cs:Row:=2', 'cs:Row:=3', 'cs:Row:=4'];
    for (const key of counters) await direct.set(key, '7000');
    await direct.set('cs:Row:=1:=7000:frag', '<p>old</p>');
    proxy.setMode('drop');
    for (const key of counters) await backend.incr(key, 1).catch(() => undefined);
    expect(backend.status()).toMatchObject({ pendingBumps: 2, pendingPurges: ['cs:'] });
    await expect(backend.getMany(['cs:anything'])).rejects.toThrow(/waits to be replayed/);
    proxy.setMode('pass');
    await until('purged', () => backend.status().pendingPurges.length === 0 && backend.status().pendingBumps === 0);
    expect(await direct.keys('cs:*')).toEqual([]);
    expect(await direct.get('other-app:session')).toBe('keep me');
    expect(await direct.get('csx:Row:=1')).toBe('another namespace');
    expect(backend.status().purgedKeys).toBeGreaterThanOrEqual(3);
  });
});
