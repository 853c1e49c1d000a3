import type { ProcessFlight } from '../leases/fleet-wait';
import type { SweeperStats } from '../stats';
import type { PageTrace } from '../telemetry/page-trace';
import type { PageAttributes } from '../telemetry/telemetry-options';
import type { FragmentLease, PlannedFragment, StoredFragment } from '../types';

/**
 * What one page (or request) has learnt from the cache: the version tokens it read,
 * so a row seen twice costs one read and every block of the page sees one snapshot;
 * the fragments it read; whether the cache is still worth asking (after one failure
 * or missed deadline the rest of the page renders uncached, so a page waits on a bad
 * backend once, not once per nesting level); and an optional per-page stats sink.
 */
export interface PageState {
  /** Tokens read so far, by version key; `null` marks a token that could not be read. */
  readonly tokens: Map<string, string | null>;
  /**
   * The round each token was read (or created) in, numbered from 1 in the order the
   * page made them: a block within a row counts as covered by that row's counter only
   * when its own counter was read in a later round (see `nestedTokensOf`).
   */
  readonly tokenRounds: Map<string, number>;
  /** How many token rounds the page has made. */
  tokenRoundCount: number;
  /** Fragments read so far, by key, decoded; `undefined` marks one found missing (or unreadable). */
  readonly fragments: Map<string, StoredFragment | undefined>;
  /**
   * Each planned fragment's key under this page's tokens, built once (a token, once read,
   * does not change within a page): one string per key, whose hash the maps above compute once.
   */
  readonly keys: Map<PlannedFragment, string>;
  /** Version keys this page created with a fresh start: no fragment can be stored under them yet. */
  readonly created: Set<string>;
  /** With fleet-wide leases: the stamp of each fragment copy read, by key (a stale copy is replaced only if unchanged). */
  readonly stamps: Map<string, string>;
  /** With fleet-wide leases: the lease this page took or found on a fragment key. */
  readonly leases: Map<string, FragmentLease>;
  /**
   * Records of contents bumps read so far, by record key: the row counters each names;
   * `undefined` for one found missing (see `contents-records.ts`).
   */
  readonly records: Map<string, readonly string[] | undefined>;
  /**
   * With fleet-wide leases: copies read under a key whose lease the page then took or
   * found taken (they were stale); a renderer may keep their unchanged parts.
   */
  readonly outdated: Map<string, StoredFragment>;
  /** Fragment keys read ahead as blocks nested in a missed one: the lease on the block around them covers them. */
  readonly nestedAhead: Set<string>;
  /** Flights this page opened for the keys it asks the lease of; the pages of the process that miss them join. */
  readonly pending: Map<string, ProcessFlight>;
  /** False once a backend round failed or missed its deadline. */
  available: boolean;
  /** Extra counters for this page, on top of the sweeper's own. */
  readonly stats: SweeperStats | undefined;
  /** The page's span, when it asked for one: `null` when it is not recorded. */
  readonly trace: PageTrace | null | undefined;
  /** Where this page's figures go besides the totals: `stats` and the span's own figures. */
  readonly sinks: readonly (SweeperStats | undefined)[];
  /** False when renderings of this page must not be stored nor shared (e.g. a render inside a write transaction). */
  readonly store: boolean;
  /** When the page began (`performance.now()`): an uncached render started later may be shared with it. */
  readonly startedAt: number;
  /** Whether the renderer keeps the unchanged parts of outdated copies (`SessionOptions.keepsUnchanged`). */
  readonly keeping: boolean;
}

/** Options of `sweeper.session()`. */
export interface SessionOptions {
  /** Counters to add this page's figures to (see `createStats`). */
  readonly stats?: SweeperStats;
  /**
   * Store renderings of missed fragments (default `true`). `false` still reads the cache
   * but never writes to it, nor shares its renders with other pages: for a render that
   * can see uncommitted data, such as one inside a write transaction.
   */
  readonly store?: boolean;
  /**
   * Gives the page an OpenTelemetry span with this name (and attributes), under the
   * active span; the page's rounds are its children. End it with `session.end()`.
   */
  readonly trace?: { readonly name: string; readonly attributes?: PageAttributes };
  /**
   * The renderer keeps the parts of a missed fragment's outdated copy that the records of
   * its contents counter show unchanged (`SweeperSession.keep`), rendering only the rows
   * within it that changed: the lookup then reads those records ahead with the tokens,
   * and reads ahead only the changed rows' blocks. Default `false`: every block nested in
   * a missed one is read ahead, for a renderer that looks them all up.
   */
  readonly keepsUnchanged?: boolean;
}

/** The state of a page that has read nothing yet; `trace` is its span, if it asked for one. */
export function newPageState(options: SessionOptions = {}, trace?: PageTrace | null): PageState {
  return {
    tokens: new Map(),
    tokenRounds: new Map(),
    tokenRoundCount: 0,
    fragments: new Map(),
    keys: new Map(),
    created: new Set(),
    stamps: new Map(),
    leases: new Map(),
    records: new Map(),
    outdated: new Map(),
    nestedAhead: new Set(),
    pending: new Map(),
    available: true,
    stats: options.stats,
    trace,
    sinks: trace ? [options.stats, trace.stats] : [options.stats],
    store: options.store ?? true,
    startedAt: performance.now(),
    keeping: options.keepsUnchanged === true,
  };
}
