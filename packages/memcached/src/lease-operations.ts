import { CacheSweeperError, describeValue, type FragmentLeases, type LeaseRead } from '@cachesweeper/core';
import { callWithDeadline } from './call-with-deadline';
import { readBatchCall } from './commands';
import { checkKey, checkLeaseTtl, checkStamp } from './keys-and-values';
import { leasedRead } from './leased-reads';
import { CompareDeleteCommand } from './read-commands';
import { type StampedStoreSettings, storeStamped } from './stamped-stores';

/** Runs an operation unless the backend is closed; anything it throws (bad input) becomes a rejection. */
export type Guard = <T>(operation: string, work: () => Promise<T>) => Promise<T>;

/**
 * The backend's fleet-wide leases (`FragmentLeases`) on memcached's meta commands:
 * reads go over our own connections with the multi-gets, under the same deadline and
 * the same server health (a server that is down or suspect is not asked: its keys
 * read as missing, with no lease). Stamped stores go over the same connections, as
 * `ms` commands. Every key, stamp and TTL is checked before it reaches a command line.
 */
export function createLeases(settings: StampedStoreSettings, guard: Guard): FragmentLeases {
  return {
    read: (reads, ttlSeconds) =>
      guard('leases.read', () => {
        if (!Array.isArray(reads)) {
          throw new CacheSweeperError('memcached', `leases.read takes an array of reads, got ${describeValue(reads)}`);
        }
        const ttl = checkLeaseTtl(ttlSeconds, 'leases.read');
        for (const read of reads) checkRead(read);
        return leasedRead(reads, ttl, settings);
      }),
    release: (key, stamp) =>
      guard('leases.release', async () => {
        checkKey(key, 'leases.release');
        const command = new CompareDeleteCommand(key, checkStamp(stamp, 'leases.release'));
        const slot = settings.slotOf(key);
        const lease = slot.lease(false);
        if (lease === undefined) throw slot.unavailable(`lease release of "${key}"`);
        await callWithDeadline(lease, readBatchCall([command], `lease release of "${key}"`, settings));
        return command.deleted === true;
      }),
    store: (entries) => guard('leases.store', () => storeStamped(entries, settings)),
  };
}

function checkRead(read: LeaseRead): void {
  if (read === null || typeof read !== 'object') {
    throw new CacheSweeperError('memcached', `leases.read: a read must be { key, lease? }, got ${describeValue(read)}`);
  }
  checkKey(read.key, 'leases.read');
  const lease: unknown = read.lease;
  if (lease === 'replace') checkStamp((read as { stamp?: unknown }).stamp, 'leases.read');
  else if (lease !== undefined && lease !== 'if-missing') {
    throw new CacheSweeperError(
      'memcached',
      `leases.read: lease ${describeValue(lease)} of "${read.key}" must be "if-missing", "replace" or absent`,
    );
  }
}
