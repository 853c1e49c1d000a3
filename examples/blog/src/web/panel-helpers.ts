import type { SweeperStats } from '@cachesweeper/core';

/**
 * Helpers of the cache panel. A page's stats count its reads as they happen; its misses
 * are written after it was sent, in one background round shared with the pages of the
 * same turn (`queuedStores` says how many fragments it queued). That round may already
 * have run when the layout renders the panel, so reads are the round trips less it.
 */
export const panelHelpers = {
  /** Round trips that read the cache for this page (before it was sent). */
  cacheReads(stats: SweeperStats | undefined): number {
    return stats === undefined ? 0 : stats.roundTrips - stats.writeRoundTrips;
  },
  /** Background write rounds this page's misses go out in: 1 when it queued any, else 0. */
  cacheWrites(stats: SweeperStats | undefined): number {
    if (stats === undefined) return 0;
    return Math.max(stats.writeRoundTrips, stats.queuedStores > 0 ? 1 : 0);
  },
};
