import { describe } from 'vitest';
import { addTests } from './add';
import { closeTests } from './close';
import { type BackendFactory, useBackend } from './context';
import { getSetTests } from './get-set';
import { hostileInputTests } from './hostile-input';
import { incrTests } from './incr';
import { largeValueTests } from './large-values';
import { leaseTests } from './leases';
import { multiGetTests } from './multi-get';
import { stampedStoreTests } from './stamped-stores';
import { syncTests } from './sync';
import { ttlTests } from './ttl';

export type { BackendFactory, SuiteContext } from './context';
export { sleep } from './context';

/** What a backend cannot do, stated at the call site with a comment saying why. */
export interface ConformanceOptions {
  /** Run the TTL topic (it sleeps ~5 s). Default: true. */
  readonly ttl?: boolean;
  /** The backend offers synchronous access (`backend.sync`). Default: false. */
  readonly sync?: boolean;
  /** The backend offers fleet-wide leases on missed fragments (`backend.leases`). Default: false. */
  readonly leases?: boolean;
  /** Its leases answer stamped stores (`backend.leases.store`). Default: false. */
  readonly stampedStores?: boolean;
}

/**
 * The conformance suite of the `CacheBackend` contract: every backend package runs it.
 * Each test gets a fresh backend from `create` and keys unique to the test.
 */
export function backendConformance(name: string, create: BackendFactory, options: ConformanceOptions = {}): void {
  describe(`${name} backend conformance`, () => {
    const ctx = useBackend(create);
    getSetTests(ctx);
    multiGetTests(ctx);
    addTests(ctx);
    incrTests(ctx);
    if (options.ttl !== false) ttlTests(ctx);
    largeValueTests(ctx);
    hostileInputTests(ctx);
    closeTests(ctx);
    if (options.sync) syncTests(ctx);
    if (options.leases) leaseTests(ctx, { ttl: options.ttl !== false });
    if (options.stampedStores) stampedStoreTests(ctx);
  });
}
