import { type MemcachedProcess, startMemcached } from '@cachesweeper/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MemcachedBackend, memcachedBackend } from '../src';
import { createRouter } from '../src/router';
import { settle, waitForState, watchProcess } from './helpers';

const NAMES = ['a', 'b'] as const;

/** The first key made from `prefix` that the router sends to `server`. */
function keyOn(server: string, prefix: string): string {
  const route = createRouter(NAMES);
  for (let index = 0; ; index++) if (route(`${prefix}:${index}`) === server) return `${prefix}:${index}`;
}

// A write round carries the fragments of every server at once. A server that cannot take its
// share must not cost the others theirs: a process whose link to one server is bad would
// otherwise render the other servers' fragments again on every page (issue 13's flaky link).
describe('stamped stores while one of two servers is out', () => {
  let servers: MemcachedProcess[];
  let backend: MemcachedBackend;
  let watch: ReturnType<typeof watchProcess>;

  beforeEach(async () => {
    watch = watchProcess();
    servers = await Promise.all([startMemcached(), startMemcached()]);
    backend = memcachedBackend({
      servers: servers.map((server, index) => `${NAMES[index]}=${server.address}`),
      leases: true,
      graceMs: 300,
      retryMs: 60_000, // a stopped server stays down for the test
    });
  });
  afterEach(async () => {
    await backend.close();
    await Promise.all(servers.map((server) => server.stop()));
    watch.stop();
    expect(watch.problems).toEqual([]);
  });

  /** Stores one entry on b, then one on a (b's server is met first in the round); answers how it settled and a's key. */
  async function storeOnBoth(prefix: string) {
    const onA = keyOn('a', prefix);
    const stored = await settle(
      'leases.store',
      backend.leases!.store!([
        { key: keyOn('b', prefix), value: 'for b', ttlSeconds: 0 },
        { key: onA, value: 'for a', ttlSeconds: 0 },
      ]),
    );
    return { stored, onA };
  }

  it("stores the healthy server's entries when the other is down, then rejects naming the one down", async () => {
    await servers[1]!.stop();
    await backend.get(keyOn('b', 'probe')).catch(() => undefined);
    await waitForState(backend, servers[1]!.address, 'down');
    const { stored, onA } = await storeOnBoth('down');
    expect(stored.ok).toBe(false);
    expect(String(stored.error)).toMatch(
      /\[memcached\] stamped store of 1 key\(s\): server b \(127\.0\.0\.1:\d+\) is not used: it is down/,
    );
    expect(await backend.get(onA)).toBe('for a');
  });

  it("stores the healthy server's entries when the other is frozen, and rejects once the frozen one is late", async () => {
    await servers[1]!.freeze();
    const { stored, onA } = await storeOnBoth('frozen');
    expect(stored.ok).toBe(false);
    expect(String(stored.error)).toMatch(
      /stamped store of 1 key\(s\) on b \(127\.0\.0\.1:\d+\) missed its 100 ms deadline/,
    );
    expect(await backend.get(onA)).toBe('for a');
    await servers[1]!.thaw();
  });
});
