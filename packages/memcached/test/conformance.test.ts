import { backendConformance } from '@cachesweeper/backend-tests';
import { type MemcachedProcess, startMemcached } from '@cachesweeper/test-support';
import { afterAll, beforeAll, describe } from 'vitest';
import { memcachedBackend } from '../src';

// The suite writes 1,333 keys in one burst of separate `set` calls. The npm client
// handles ~30,000 calls a second here (~40 ms for the burst warm, ~100 ms on a fresh
// pool), so under the default 100 ms deadline the tail of such a burst times out.
// The contract is about answers, so it runs with a 1 s deadline; the fault tests and
// the cluster test run on the default.
const timeoutMs = 1000;

describe('one server', () => {
  let server: MemcachedProcess;
  beforeAll(async () => {
    server = await startMemcached();
  });
  afterAll(() => server.stop());
  backendConformance('memcached', () => memcachedBackend({ servers: [server.address], timeoutMs }), {
    leases: true,
    stampedStores: true,
  });
});

describe('a cluster of three servers', () => {
  let servers: MemcachedProcess[];
  beforeAll(async () => {
    servers = await Promise.all([startMemcached(), startMemcached(), startMemcached()]);
  });
  afterAll(() => Promise.all(servers.map((server) => server.stop())));
  // The TTL topic sleeps ~5 s and does not depend on the number of servers: run it once, above.
  backendConformance(
    'memcached',
    () => memcachedBackend({ servers: servers.map((server) => server.address), timeoutMs }),
    { ttl: false, leases: true, stampedStores: true },
  );
});
