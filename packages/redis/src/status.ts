/** Something the backend wants you to know: a node's health changed, or missed invalidations were repaired. */
export type RedisBackendEvent =
  | {
      /** A call to `node` missed its deadline: its keys read as misses until it answers again. */
      readonly kind: 'suspect';
      readonly node: string;
      readonly reason: string;
    }
  | {
      /** `node` answered again after being suspect. */
      readonly kind: 'answering';
      readonly node: string;
    }
  | {
      /** Counter bumps that had failed (or whose outcome was unknown) were sent again and landed. */
      readonly kind: 'replayed';
      readonly keys: number;
    }
  | {
      /** More bumps failed than `maxPendingBumps`: the keys under these prefixes were deleted instead. */
      readonly kind: 'purged';
      readonly prefixes: readonly string[];
      readonly keys: number;
    };

/** Where the backend stands, for monitoring and tests. */
export interface RedisBackendStatus {
  /** The ioredis client's connection status (`ready`, `connecting`, `reconnecting`, …). */
  readonly connection: string;
  /** Counter bumps waiting to be sent again; reads of their keys fail (render uncached) meanwhile. */
  readonly pendingBumps: number;
  /** Key prefixes waiting to be purged; reads of keys under them fail meanwhile. */
  readonly pendingPurges: readonly string[];
  /** Nodes whose keys read as misses because a call to them missed its deadline. */
  readonly suspects: readonly string[];
  /** Bumps replayed since the start. */
  readonly replayed: number;
  /** Keys deleted by purges since the start. */
  readonly purgedKeys: number;
}
