import { CacheSweeperError, MAX_RELATIVE_TTL_SECONDS } from '@cachesweeper/core';
import { type MemcachedProcess, memcachedStats, startMemcached } from '@cachesweeper/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memcachedBackend } from '../src';

/** The counters of a server that move when a command reaches it. */
async function commandsSeen(address: string): Promise<Record<string, string | undefined>> {
  const stats = await memcachedStats(address);
  const names = ['cmd_get', 'cmd_set', 'cmd_touch', 'delete_hits', 'delete_misses', 'incr_hits', 'incr_misses'];
  return Object.fromEntries(names.map((name) => [name, stats[name]]));
}

describe('keys and values checked before they reach the client', () => {
  let server: MemcachedProcess;
  let smallItems: MemcachedProcess;
  beforeAll(async () => {
    [server, smallItems] = await Promise.all([startMemcached(), startMemcached({ maxItemSize: '512k' })]);
  });
  afterAll(() => Promise.all([server.stop(), smallItems.stop()]));

  it('refuses a value over maxValueBytes without sending it, and the server stays up', async () => {
    const backend = memcachedBackend({ servers: [server.address], maxValueBytes: 1000 });
    await backend.set('neighbour', 'still here', 0);
    const before = await memcachedStats(server.address);
    expect(await backend.set('big', 'x'.repeat(1001), 0)).toBe(false);
    expect(await backend.add('big-add', 'x'.repeat(1001), 0)).toBe(false);
    expect((await memcachedStats(server.address)).bytes_written).toBeDefined();
    expect(Number((await memcachedStats(server.address)).cmd_set)).toBe(Number(before.cmd_set));
    expect(backend.servers()[0]).toMatchObject({ state: 'up', failures: 0 });
    expect(await backend.get('neighbour')).toBe('still here');
    await backend.close();
  });

  it('drops the old value of a key whose new value is refused, as memcached does', async () => {
    const backend = memcachedBackend({ servers: [server.address], maxValueBytes: 1000 });
    await backend.set('replaced', 'old', 0);
    expect(await backend.set('replaced', 'x'.repeat(1001), 0)).toBe(false);
    expect(await backend.get('replaced')).toBeUndefined();
    await backend.close();
  });

  it('counts CR and LF once each: values are sent as they are, length-prefixed', async () => {
    const backend = memcachedBackend({ servers: [server.address], maxValueBytes: 1000 });
    expect(await backend.set('lines', '\n'.repeat(1000), 0)).toBe(true);
    expect(await backend.get('lines')).toBe('\n'.repeat(1000));
    expect(await backend.set('lines', '\r\n'.repeat(500) + '\n', 0)).toBe(false);
    await backend.close();
  });

  it('takes "object too large" from a server with a smaller item limit as not stored, not as a failure', async () => {
    const backend = memcachedBackend({ servers: [smallItems.address] }); // maxValueBytes assumes 1 MiB items
    await backend.set('small', 'fits', 0);
    expect(await backend.set('large', 'x'.repeat(600 * 1024), 0)).toBe(false);
    expect(backend.servers()[0]).toMatchObject({ state: 'up', failures: 0 });
    expect(await backend.getMany(['small', 'large'])).toEqual(['fits', undefined]);
    await backend.close();
  });

  it('never sends a key the server would refuse nor one the client would rewrite, and names it', async () => {
    const backend = memcachedBackend({ servers: [server.address] });
    await backend.set('canary', 'canary', 0);
    // The client would send `set q$\` 0 0 1` as `set qset  0 0 1`: a write to another key.
    await backend.set('qset', 'canary of q$`', 0);
    const before = await commandsSeen(server.address);
    const hostile = [
      '',
      'has space',
      'new\nline',
      'a\r\nflush_all',
      'nul\u0000',
      'ünï',
      'x'.repeat(251),
      'q$`',
      'x$$',
      'a$&b',
    ];
    for (const key of hostile) {
      for (const attempt of [
        () => backend.get(key),
        () => backend.getMany(['canary', key]),
        () => backend.set(key, 'v', 0),
        () => backend.setMany!([{ key, value: 'v', ttlSeconds: 0 }]),
        () => backend.add(key, 'v', 0),
        () => backend.incr(key, 1),
        () => backend.delete(key),
      ]) {
        const error = await attempt().then(
          () => undefined,
          (rejection: unknown) => rejection,
        );
        expect(error, JSON.stringify(key)).toBeInstanceOf(CacheSweeperError);
        expect(String(error)).toContain('[cachesweeper] [memcached]');
      }
    }
    expect(await commandsSeen(server.address)).toEqual(before);
    // The message says why: a "$" the client would rewrite, or a key no server takes.
    await expect(backend.get('a$&b')).rejects.toThrow('get: key "a$&b" contains "$", which the npm memcached client');
    await expect(backend.get('a$ b')).rejects.toThrow('get: key "a$ b" is not a valid cache key');
    await expect(backend.getMany(['ok', 42 as unknown as string])).rejects.toThrow('getMany: key 42 is not a valid');
    expect(await backend.getMany(['canary', 'qset'])).toEqual(['canary', 'canary of q$`']);
    await backend.close();
  });

  it('clamps a TTL over 30 days to 30 days instead of letting memcached read it as a date in 1970', async () => {
    const backend = memcachedBackend({ servers: [server.address] });
    expect(await backend.set('long', 'kept', MAX_RELATIVE_TTL_SECONDS * 12)).toBe(true);
    expect(await backend.get('long')).toBe('kept');
    await backend.close();
  });

  it('maps each answer of a multi-get split in many commands back to its key', async () => {
    const backend = memcachedBackend({ servers: [server.address], multiGetChunk: 7, timeoutMs: 1000 });
    const keys = Array.from({ length: 100 }, (_, index) => `chunked:${index}`);
    await backend.setMany!(
      keys.filter((_, index) => index % 2 === 0).map((key) => ({ key, value: key, ttlSeconds: 0 })),
    );
    expect(await backend.getMany([...keys].reverse())).toEqual(
      [...keys].reverse().map((key, index) => (index % 2 === 1 ? key : undefined)),
    );
    await backend.close();
  });

  it('rejects options it does not understand, naming them', () => {
    expect(() => memcachedBackend({ servers: [] })).toThrow(/servers must be/);
    expect(() => memcachedBackend({ servers: ['localhost'] })).toThrow(/address "localhost" is not "host:port"/);
    expect(() => memcachedBackend({ servers: ['a:1', 'a:1'] })).toThrow(/list each server once/);
    expect(() => memcachedBackend({ servers: ['a:1'], timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => memcachedBackend({ servers: ['a:1'], client: { failures: 1 } as never })).toThrow(/"failures"/);
  });
});
