import {
  type FaultProxy,
  freePort,
  type MemcachedProcess,
  memcachedStats,
  startFaultProxy,
  startMemcached,
} from '@cachesweeper/test-support';
import Memcached from 'memcached';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memcachedBackend } from '../src';
import { createRouter } from '../src/router';
import { normaliseAddress, parseServers } from '../src/server-list';

const KEYS = Array.from({ length: 10_000 }, (_, index) => `cs:Row:${index}:${(index * 7919) % 1000}`);

/** Where each of `KEYS` lives, by server name, for a `servers` option. */
function placements(servers: Parameters<typeof parseServers>[0]): string[] {
  const route = createRouter(parseServers(servers).map((server) => server.name));
  return KEYS.map(route);
}

/** Where the plain npm client puts each of `KEYS`, for its list of addresses. */
function npmClientPlacements(addresses: string[]): string[] {
  const ring = (new Memcached(addresses) as unknown as { HashRing: { get(key: string): string } }).HashRing;
  return KEYS.map((key) => ring.get(key));
}

describe('the servers option', () => {
  it('takes "host:port", "name=host:port" and { name, address }, and names a server by its address by default', () => {
    expect(parseServers(['10.0.0.1:11211', 'b=10.0.0.2:11211', { name: 'c', address: '10.0.0.3:11211' }])).toEqual([
      { name: '10.0.0.1:11211', address: '10.0.0.1:11211' },
      { name: 'b', address: '10.0.0.2:11211' },
      { name: 'c', address: '10.0.0.3:11211' },
    ]);
    expect(parseServers({ address: 'cache:11211' })).toEqual([{ name: 'cache:11211', address: 'cache:11211' }]);
    expect(parseServers('a=cache:11211')).toEqual([{ name: 'a', address: 'cache:11211' }]);
  });

  it('normalises the host case, localhost, a trailing dot and leading zeros of the port, and nothing that needs DNS', () => {
    expect(normaliseAddress('LOCALHOST:11211')).toBe('127.0.0.1:11211');
    expect(normaliseAddress('Localhost.:08080')).toBe('127.0.0.1:8080');
    expect(normaliseAddress('Cache-A.Example.:11211')).toBe('cache-a.example:11211');
    expect(normaliseAddress('10.0.0.5:11211')).toBe('10.0.0.5:11211');
    expect(normaliseAddress('cache-a:11211')).not.toBe(normaliseAddress('10.0.0.5:11211'));
  });

  it('connects to the address as given, and reports name and address', async () => {
    const server = await startMemcached();
    const spelled = `LOCALHOST:${server.port}`;
    // localhost may resolve to ::1 first, where memcached does not listen: connecting can take a while.
    const backend = memcachedBackend({ servers: [spelled, `b=127.0.0.1:${await freePort()}`], timeoutMs: 5000 });
    try {
      expect(backend.servers().map(({ name, address }) => ({ name, address }))).toEqual([
        { name: `127.0.0.1:${server.port}`, address: spelled },
        { name: 'b', address: expect.stringMatching(/^127\.0\.0\.1:\d+$/) },
      ]);
      const key = KEYS.find((each) => createRouter(backend.servers().map((status) => status.name))(each) !== 'b')!;
      expect(await backend.set(key, 'via localhost', 0)).toBe(true);
      expect(await backend.get(key)).toBe('via localhost');
    } finally {
      await backend.close();
      await server.stop();
    }
  });

  it.each([
    [['10.0.0.1'], /servers\[0\] "10\.0\.0\.1": address "10\.0\.0\.1" is not "host:port"/],
    [['10.0.0.1:11211', 'a=10.0.0.2:99999'], /servers\[1\] "a=10\.0\.0\.2:99999": address "10\.0\.0\.2:99999"/],
    ['a b=10.0.0.1:11211', /servers "a b=10\.0\.0\.1:11211": name "a b" must be 1-100 letters/],
    [[{ name: '', address: '10.0.0.1:11211' }], /servers\[0\] \{"name":"","address":"10\.0\.0\.1:11211"\}: name ""/],
    [[{ name: 'a', address: '10.0.0.1:11211', weight: 2 }], /has an unknown field "weight"/],
    [[42], /servers\[0\] 42 is not "host:port", "name=host:port" or \{ name, address \}/],
    [[], /servers must be .* or a non-empty array of them, got Array \[\]/],
    [
      ['localhost:11211', 'b=127.0.0.1:11211'],
      /servers\[1\] "b=127\.0\.0\.1:11211" is the server of servers\[0\] "localhost:11211" \(both are 127\.0\.0\.1:11211\)/,
    ],
    [['a=10.0.0.1:11211', 'a=10.0.0.2:11211'], /servers\[1\] "a=10\.0\.0\.2:11211" has the name of servers\[0\]/],
    [['a=10.0.0.1:11211', 'a:11211=10.0.0.2:11211'], /\("a:11211" and "a" hash alike\)/],
    [['10.0.0.1:11211', '10.0.0.1=10.0.0.2:11211'], /has the name of servers\[0\] "10\.0\.0\.1:11211"/],
  ])('refuses %j with an error naming the entry', (servers, message) => {
    expect(() => memcachedBackend({ servers: servers as never })).toThrow(message);
  });
});

describe('the ring', () => {
  it('keeps every key where the npm client put it for servers given as plain addresses', () => {
    const addresses = ['10.0.0.1:11211', '10.0.0.2:11211', 'cache-c.internal:11311', '10.0.0.4:11212'];
    expect(placements(addresses)).toEqual(npmClientPlacements(addresses));
  });

  it('maps every key alike for localhost:11211, LOCALHOST:11211 and 127.0.0.1:11211', () => {
    const others = ['10.0.0.2:11211', '10.0.0.3:11211'];
    const canonical = placements(['127.0.0.1:11211', ...others]);
    expect(placements(['localhost:11211', ...others])).toEqual(canonical);
    expect(placements(['LOCALHOST:11211', ...others.map((each) => each.toUpperCase())])).toEqual(canonical);
  });

  it('control: the npm client maps about a third of the keys elsewhere when one server is spelled localhost', () => {
    const others = ['10.0.0.2:11211', '10.0.0.3:11211'];
    const before = npmClientPlacements(['127.0.0.1:11211', ...others]);
    const after = npmClientPlacements(['localhost:11211', ...others]).map((server) =>
      server === 'localhost:11211' ? '127.0.0.1:11211' : server,
    );
    const moved = before.filter((server, index) => server !== after[index]).length;
    expect(moved).toBeGreaterThan(KEYS.length / 5); // 3,465 of 10,000 when measured
  });
});

describe('two processes that reach the same servers by different addresses', () => {
  let servers: MemcachedProcess[];
  let proxies: FaultProxy[];
  beforeAll(async () => {
    servers = await Promise.all([startMemcached(), startMemcached(), startMemcached()]);
    proxies = await Promise.all(servers.map((server) => startFaultProxy(server.address)));
  });
  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await Promise.all(servers.map((server) => server.stop()));
  });

  /** Writes `KEYS` through one backend and returns how many of them another finds. */
  async function foundByOther(writerServers: string[], readerServers: string[]): Promise<number> {
    const writer = memcachedBackend({ servers: writerServers, timeoutMs: 5000 });
    const reader = memcachedBackend({ servers: readerServers, timeoutMs: 5000 });
    try {
      await writer.flush!();
      const stored = await writer.setMany!(KEYS.map((key) => ({ key, value: key, ttlSeconds: 0 })));
      expect(stored.every(Boolean)).toBe(true);
      // Each key now sits on exactly one server: the reader finds it only where the writer put it.
      const items = await Promise.all(
        servers.map(async (server) => Number((await memcachedStats(server.address)).curr_items)),
      );
      expect(items.reduce((sum, count) => sum + count, 0)).toBe(KEYS.length);
      const values = await reader.getMany(KEYS);
      return values.filter((value, index) => value === KEYS[index]).length;
    } finally {
      await writer.close();
      await reader.close();
    }
  }

  it('map 10,000 keys identically when they name the servers alike', { timeout: 30_000 }, async () => {
    const direct = servers.map((server, index) => `s${index}=${server.address}`);
    const throughProxies = proxies.map((proxy, index) => `s${index}=${proxy.address}`).reverse();
    expect(await foundByOther(direct, throughProxies)).toBe(KEYS.length);
  });

  it('control: they split the ring when each names the servers by its own addresses', { timeout: 30_000 }, async () => {
    const direct = servers.map((server) => server.address);
    const throughProxies = proxies.map((proxy) => proxy.address);
    expect(await foundByOther(direct, throughProxies)).toBeLessThan(KEYS.length * 0.6);
  });
});
