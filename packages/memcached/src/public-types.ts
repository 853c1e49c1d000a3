/**
 * The types users of the package see (re-exported by `index.ts`), and the shape of a
 * named server. This file imports nothing of the package, so every module can use it.
 */

/** One entry of the `servers` option: `'host:port'`, `'name=host:port'`, or `{ name?, address }`. */
export type ServerEntry = string | { readonly name?: string; readonly address: string };

/** A server as the backend uses it: the name the ring hashes, and the address it connects to. */
export interface NamedServer {
  /** What the consistent-hashing ring hashes: every process that names a server alike maps keys to it alike. */
  readonly name: string;
  /** `host:port` as given; the connections go there. */
  readonly address: string;
}

/** Options of the npm `memcached` client that stay yours to tune; the rest are ours (see README). */
export interface ClientTuning {
  /** Connections per server, for the client's pool and for our reads each. Default: 10. */
  readonly poolSize?: number;
  /** Times the pool retries to get a connection (0 turns bursts into "connection pool is full"). Default: 3. */
  readonly retries?: number;
  /** First pool retry delay, in ms. Default: 20. */
  readonly minTimeout?: number;
  /** Largest pool retry delay, in ms. Default: 100. */
  readonly maxTimeout?: number;
  /** Growth factor of the pool retry delay. Default: 2. */
  readonly factor?: number;
  /** Connect timeout of a socket, in ms. Default: 1000. */
  readonly timeout?: number;
  /** An idle connection is closed after this many ms. Default: 5000. */
  readonly idle?: number;
}

/** Options of `memcachedBackend`. */
export interface MemcachedBackendOptions {
  /**
   * Each server: `'host:port'`, `'name=host:port'` or `{ name, address }`. Keys are spread over
   * several by consistent hashing of their names; a server without a name is named by its address,
   * normalised (see README).
   */
  readonly servers: ServerEntry | readonly ServerEntry[];
  /** Deadline of every operation but counter writes, in ms; a late answer is a failure. Default: 100. */
  readonly timeoutMs?: number;
  /**
   * Deadline of counter writes (`incr`, `delete`), in ms: an invalidation that lands late is still
   * reported as done. One that misses it may still land, and is sent again if the server is dropped
   * before it answers. Default: 1000.
   */
  readonly writeTimeoutMs?: number;
  /** Largest value stored, in bytes of UTF-8; larger values are cleanly not cached. Default: 1 MiB − 1 KiB. */
  readonly maxValueBytes?: number;
  /** When a server that went down is first probed, in ms; each failed probe doubles the wait. Default: 2000. */
  readonly retryMs?: number;
  /** The longest wait between two probes of a server that keeps failing, in ms. Default: 30000. */
  readonly maxRetryMs?: number;
  /**
   * The shortest time between two `flush_all` by which this process repairs one server, in ms; a
   * server that needs one sooner stays out of use until then (`flush()` calls are not paced). Default: 30000.
   */
  readonly minFlushIntervalMs?: number;
  /**
   * Most counter writes remembered per server to send again when it returns; past that, it is flushed
   * instead. Default: 10000.
   */
  readonly replayLimit?: number;
  /** How long a call that missed its deadline may still answer before its server counts as down, in ms. Default: 1000. */
  readonly graceMs?: number;
  /** Most keys in one `get` command; longer lists are split, and the parts sent at once. Default: 250. */
  readonly multiGetChunk?: number;
  /** Told when a server turns suspect, down or up again. */
  readonly onServerChange?: (change: ServerChange) => void;
  /**
   * Offer fleet-wide leases on missed fragments (`backend.leases`), through memcached's meta
   * commands (`mg`, `md`: memcached 1.6 or later). `false` for older servers: single flight
   * then holds per process. Default: true.
   */
  readonly leases?: boolean;
  /**
   * With two or more servers, keep a copy of each version key on other servers (`backend.placement`: a
   * generation on every server, a counter on one other), read while the key's own server is out of
   * reach. Costs an invalidation twice the `incr`s, in the same round. Default: true.
   */
  readonly keyCopies?: boolean;
  /** Connection pool settings of the npm `memcached` client. */
  readonly client?: ClientTuning;
}

/**
 * Where a server stands:
 * - `up`: reads and writes go to it;
 * - `suspect`: a call missed its deadline and its answer has not come yet. Its keys
 *   read as misses; writes still go to it, so that if every late answer comes the
 *   server missed nothing and is `up` again as it is — except `add`, refused at once
 *   (it would answer a miss the server never gave, and changes nothing a reader needs);
 * - `down`: it failed (an error, a bad answer, a call unanswered past the grace
 *   period). Its keys read as misses, writes to it fail at once (counter writes are
 *   remembered), and it is probed in the background. It comes back once it has
 *   been sent again every counter write whose outcome is unknown; it is flushed only
 *   when there were too many of them to remember.
 */
export type ServerState = 'up' | 'suspect' | 'down';

/** A server changed state. */
export interface ServerChange {
  /** The server's name (the ring hashes it; by default its normalised address). */
  readonly name: string;
  /** `host:port`, as given. */
  readonly address: string;
  /** The new state. */
  readonly state: ServerState;
  /** Why. */
  readonly reason: string;
}

/** A server's state and history, for monitoring and tests. */
export interface ServerStatus {
  /** The server's name (the ring hashes it; by default its normalised address). */
  readonly name: string;
  /** `host:port`, as given. */
  readonly address: string;
  /** The current state. */
  readonly state: ServerState;
  /** Times it went down. */
  readonly failures: number;
  /** Times it came back. */
  readonly rejoins: number;
  /** Times this process flushed it (`flush()`, and repairs when a write was lost that could not be replayed). */
  readonly flushes: number;
  /** Counter writes remembered, to be sent again before it is used again. */
  readonly pendingReplays: number;
  /** Whether it will be flushed before it is used again (too many writes to remember, or a `flush()` it missed). */
  readonly needsFlush: boolean;
  /** The reason of the last failure. */
  readonly lastError: string | undefined;
}
