import { connect } from 'node:net';
import { DEFAULT_MAX_VALUE_BYTES } from '@cachesweeper/core';
import {
  type FaultProxy,
  type MemcachedProcess,
  memcachedStats,
  startFaultProxy,
  startMemcached,
} from '@cachesweeper/test-support';
import Memcached from 'memcached';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MemcachedBackend, memcachedBackend } from '../src';
import { watchProcess } from './helpers';

/** Values that break parsers which look for line ends instead of counting bytes. */
const TRICKY: Record<string, string> = {
  crlf: 'line one\r\nline two\nline three\r',
  end: 'END\r\n',
  'value-lines': '\r\nEND\r\nVALUE other 0 5\r\nhello\r\nEND\r\n',
  backslashes: 'back\\\r\nslash\\\n\\',
  multibyte: 'Zoë “quotes” — 日本語 🎉\r\n€',
  empty: '',
};

/** Sends one raw command and resolves with everything the server answered up to `END\r\n`. */
function rawGet(address: string, key: string): Promise<Buffer> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const answer = Buffer.concat(chunks);
      if (answer.subarray(-5).toString('latin1') !== 'END\r\n') return;
      socket.destroy();
      resolve(answer);
    });
    socket.write(`get ${key}\r\n`);
  });
}

/** `set` through the plain npm client, as this backend did before it wrote its own commands. */
async function setWithPlainClient(address: string, key: string, value: string): Promise<void> {
  const plain = new Memcached(address, { retries: 0 } as Memcached.options);
  try {
    await new Promise((resolve, reject) =>
      plain.set(key, value, 0, (error) => (error ? reject(error) : resolve(undefined))),
    );
  } finally {
    plain.end();
  }
}

/** A string of exactly `bytes` bytes of UTF-8, made of CRLFs, a multibyte character and filler. */
function valueOfBytes(bytes: number): string {
  const head = '€\r\n'.repeat(100); // 500 bytes
  return head + 'x'.repeat(bytes - Buffer.byteLength(head));
}

describe('values on a real memcached', () => {
  let server: MemcachedProcess;
  let backend: MemcachedBackend;
  let watch: ReturnType<typeof watchProcess>;
  beforeAll(async () => {
    server = await startMemcached();
  });
  afterAll(() => server.stop());
  afterEach(async () => {
    await backend.close();
    watch.stop();
    expect(watch.problems).toEqual([]);
  });
  const open = (options: { maxValueBytes?: number; servers?: string[]; timeoutMs?: number } = {}) => {
    watch = watchProcess();
    backend = memcachedBackend({ servers: [server.address], ...options });
    return backend;
  };

  it('round-trips values holding CRLF, END and VALUE lines, backslashes and multibyte text, byte for byte', async () => {
    open();
    const keys = Object.keys(TRICKY).map((name) => `tricky:${name}`);
    await backend.setMany!(keys.map((key, index) => ({ key, value: Object.values(TRICKY)[index]!, ttlSeconds: 0 })));
    expect(await backend.add('tricky:added', TRICKY['value-lines']!, 0)).toBe(true);
    expect(await backend.getMany([...keys, 'tricky:missing', 'tricky:added'])).toEqual([
      ...Object.values(TRICKY),
      undefined,
      TRICKY['value-lines'],
    ]);
    for (const [index, key] of keys.entries()) expect(await backend.get(key)).toBe(Object.values(TRICKY)[index]);
  });

  it('stores each value as its UTF-8 bytes, unescaped, under the flags 17235', async () => {
    open();
    const value = TRICKY.backslashes!;
    await backend.set('raw', value, 0);
    const bytes = Buffer.from(value, 'utf8');
    expect(await rawGet(server.address, 'raw')).toEqual(
      Buffer.concat([Buffer.from(`VALUE raw 17235 ${bytes.length}\r\n`), bytes, Buffer.from('\r\nEND\r\n')]),
    );
  });

  it('reads a value the npm client stored (escaped, flags 0) as a miss, which the next set replaces', async () => {
    open();
    await setWithPlainClient(server.address, 'written-by-plain', 'a\r\nb');
    expect(await backend.get('written-by-plain')).toBeUndefined();
    expect(await backend.set('written-by-plain', 'a\r\nb', 0)).toBe(true);
    expect(await backend.get('written-by-plain')).toBe('a\r\nb');
  });

  it('reads a counter the npm client stored (flags 0) as its number, and increments it on', async () => {
    open();
    await setWithPlainClient(server.address, 'old-counter', '41');
    expect(await backend.get('old-counter')).toBe('41');
    expect(await backend.incr('old-counter', 1)).toBe(42);
    expect(await backend.getMany(['old-counter'])).toEqual(['42']);
  });

  it('stores a value of exactly maxValueBytes, CR, LF and multibyte characters counted once each', async () => {
    open({ maxValueBytes: 1000 });
    const value = valueOfBytes(1000);
    expect(Buffer.byteLength(value)).toBe(1000);
    expect(await backend.set('limit', value, 0)).toBe(true);
    expect(await backend.add('limit-add', value, 0)).toBe(true);
    expect(await backend.getMany(['limit', 'limit-add'])).toEqual([value, value]);
  });

  it('cleanly does not cache a value one byte over maxValueBytes, and drops the old one', async () => {
    open({ maxValueBytes: 1000 });
    await backend.set('over', 'old', 0);
    const setsBefore = Number((await memcachedStats(server.address)).cmd_set);
    expect(await backend.set('over', valueOfBytes(1001), 0)).toBe(false);
    expect(await backend.add('over-add', valueOfBytes(1001), 0)).toBe(false);
    expect(Number((await memcachedStats(server.address)).cmd_set)).toBe(setsBefore);
    expect(await backend.getMany(['over', 'over-add'])).toEqual([undefined, undefined]);
    expect(backend.servers()[0]).toMatchObject({ state: 'up', failures: 0 });
  });

  it('stores a value of exactly the default limit (1 MiB - 1 KiB) on a default memcached; one byte more is not cached', async () => {
    open({ timeoutMs: 2000 });
    const value = valueOfBytes(DEFAULT_MAX_VALUE_BYTES);
    expect(await backend.set('default-limit', value, 0)).toBe(true);
    expect(await backend.get('default-limit')).toBe(value);
    expect(await backend.set('default-limit', valueOfBytes(DEFAULT_MAX_VALUE_BYTES + 1), 0)).toBe(false);
    expect(await backend.get('default-limit')).toBeUndefined();
  });

  it('closes every connection it opened, for reads and for writes, on close()', async () => {
    const own = await startMemcached(); // no other test's connections to count
    try {
      const connections = async () => Number((await memcachedStats(own.address)).curr_connections);
      const before = await connections();
      open({ servers: [own.address] });
      await backend.set('k', 'v', 0);
      await Promise.all([backend.getMany(['k']), backend.getMany(['k', 'j']), backend.set('k', 'w', 0)]);
      expect(await connections()).toBeGreaterThan(before);
      await backend.close();
      // memcached counts a connection gone once its worker thread saw the FIN: poll, with room for a loaded
      // machine. At most as many as before: \`before\` may still count the start-up probe's connection.
      await expect.poll(connections, { timeout: 15_000 }).toBeLessThanOrEqual(before);
    } finally {
      await own.stop();
    }
  });
});

describe('values handed over one byte at a time (fault proxy in drip mode)', () => {
  let server: MemcachedProcess;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startMemcached();
    proxy = await startFaultProxy(server.address, { dripMs: 1 });
  });
  afterAll(async () => {
    await proxy.close();
    await server.stop();
  });

  it('reads every value byte-exact, multibyte characters cut between TCP chunks', { timeout: 30_000 }, async () => {
    const watch = watchProcess();
    const backend = memcachedBackend({ servers: [proxy.address], timeoutMs: 20_000 });
    try {
      const keys = Object.keys(TRICKY);
      await backend.setMany!(keys.map((key) => ({ key, value: TRICKY[key]!, ttlSeconds: 0 })));
      proxy.setMode('drip');
      expect(await backend.getMany(keys)).toEqual(Object.values(TRICKY));
      expect(backend.servers()[0]).toMatchObject({ state: 'up', failures: 0 });
    } finally {
      proxy.setMode('pass');
      await backend.close();
      watch.stop();
    }
    expect(watch.problems).toEqual([]);
  });
});
