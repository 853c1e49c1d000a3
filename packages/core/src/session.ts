import type { SweeperStats } from './stats';

/**
 * The state of one page render (or one request): the version tokens it has read, so
 * a row seen twice costs one read and every block of the page sees one snapshot;
 * whether the cache is still worth asking (after one failure or missed deadline the
 * rest of the page renders uncached, so a page waits on a bad backend once, not once
 * per nesting level); and an optional per-page stats sink.
 */
export interface SweeperSession {
  /** Tokens read so far, by version key; `null` marks a token that could not be read. */
  readonly tokens: Map<string, string | null>;
  /** False once a backend round failed or missed its deadline. */
  available: boolean;
  /** Extra counters for this page, on top of the sweeper's own. */
  readonly stats: SweeperStats | undefined;
}

/** Options of `sweeper.session()`. */
export interface SessionOptions {
  /** Counters to add this page's figures to (see `createStats`). */
  readonly stats?: SweeperStats;
}

/** A fresh session. */
export function createSession(options: SessionOptions = {}): SweeperSession {
  return { tokens: new Map(), available: true, stats: options.stats };
}
