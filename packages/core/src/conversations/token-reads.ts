import type { CacheEntry } from '../backend';
import { asSweeperError } from '../errors';
import { decodeContentsRecord } from '../invalidation/contents-records';
import type { LeaseSettings } from '../leases/lease-settings';
import type { PageState } from '../page/page-state';
import { freshCounterStart } from '../tokens/counter-values';
import { addMany, type Conversation, type FailedAdd, getMany } from './backend-rounds';
import type { ConversationContext } from './conversation-context';
import { acceptCounters } from './counter-values-read';
import { decoded, readStamped } from './fragment-reads';

/** Keys a token round may read besides the tokens it needs, for the process's read-ahead hints. */
export interface ReadAhead {
  /** Version keys of blocks likely to be looked up next; a missing one is left for its own lookup. */
  readonly tokens: readonly string[];
  /** Fragment keys, recorded in the page's fragments (a hit is served only if its key proves current). */
  readonly fragments: readonly string[];
  /** Records of contents bumps (see `contents-records.ts`), recorded in the page's records. */
  readonly records?: readonly string[];
}

const NOTHING_AHEAD: ReadAhead = { tokens: [], fragments: [] };

/**
 * Reads the counters behind `keys` into the page's tokens: one multi-get; a missing
 * counter is created with a fresh random start (`add`), and when another process won
 * that race, read again. A garbled counter, one that vanishes again at once, or one
 * whose `add` failed (its server down: a down server's keys read as misses) is recorded
 * as `null`: its fragments render uncached, and the page's other blocks keep the cache. The keys of `ahead` ride along in
 * the first multi-get, which only runs if some token of `keys` is needed; with
 * fleet-wide `leases`, fragments read ahead are read with their stamps (no lease is
 * taken in this round: it is the one round of a warm page).
 */
export function* readTokens(
  keys: readonly string[],
  page: PageState,
  context: ConversationContext,
  ahead: ReadAhead = NOTHING_AHEAD,
  leases?: LeaseSettings,
): Conversation<void> {
  const needed = unread(keys, page.tokens);
  if (needed.length === 0) return;
  const tokensAhead = unread(ahead.tokens, page.tokens, needed);
  const fragmentsAhead = unread(ahead.fragments, page.fragments);
  const recordsAhead = unread(ahead.records ?? [], page.records);
  const counters = readNames(tokensAhead.length === 0 ? needed : [...needed, ...tokensAhead], context);
  const unstamped = recordsAhead.length === 0 ? counters : [...counters, ...recordsAhead];
  const reading = fragmentsAhead.length === 0 ? unstamped : [...unstamped, ...fragmentsAhead];
  const round = ++page.tokenRoundCount;
  const values =
    fragmentsAhead.length === 0
      ? yield* getMany('get version tokens', reading)
      : yield* readStamped('get version tokens', reading, unstamped.length, page, leases);
  const missing = acceptCounters(needed, values, page, context, round);
  // A counter read ahead that is missing stays unread: the lookup that needs it creates it.
  acceptCounters(tokensAhead, values, page, context, round, needed.length);
  const recordsAt = needed.length + tokensAhead.length;
  for (let index = 0; index < recordsAhead.length; index++) {
    page.records.set(recordsAhead[index] as string, decodeContentsRecord(values[recordsAt + index]));
  }
  const fragmentsAt = recordsAt + recordsAhead.length;
  for (let index = 0; index < fragmentsAhead.length; index++) {
    const key = fragmentsAhead[index] as string;
    page.fragments.set(key, decoded(key, values[fragmentsAt + index], context, page.stamps.get(key)));
  }
  if (missing.length === 0) return;
  const { entries, copies } = creations(readNames(missing, context), context);
  const addRound = ++page.tokenRoundCount;
  const added = yield* addMany('create version tokens', copies.length === 0 ? entries : [...entries, ...copies]);
  const raced: string[] = [];
  const failed: { key: string; failed: unknown }[] = [];
  entries.forEach((entry, index) => {
    const answer = added[index] as boolean | FailedAdd;
    const key = missing[index] as string;
    if (answer === true) {
      page.tokens.set(key, entry.value);
      page.tokenRounds.set(key, addRound);
      page.created.add(key);
    } else if (answer === false) {
      raced.push(key);
    } else {
      // Its server is out of reach: only the fragments keyed on it lose the cache.
      page.tokens.set(key, null);
      failed.push({ key: entry.key, failed: answer.failed });
    }
  });
  const [first] = failed;
  if (first !== undefined) {
    const what = `creating ${failed.length} version key(s) failed (the first: "${first.key}"); their fragments render uncached`;
    context.report(asSweeperError('tokens', what, first.failed));
  }
  if (raced.length === 0) return;
  const rereadRound = ++page.tokenRoundCount;
  const reread = yield* getMany('re-read version tokens', readNames(raced, context));
  for (const key of acceptCounters(raced, reread, page, context, rereadRound)) {
    page.tokens.set(key, null);
  }
}

/**
 * Reads counters into the page's tokens without creating missing ones (for checking
 * the counters a stored fragment nests: one lost or never created means it cannot be
 * served, and creating it would not change that).
 */
export function* readCounters(
  keys: readonly string[],
  page: PageState,
  context: ConversationContext,
): Conversation<void> {
  const reading = unread(keys, page.tokens);
  if (reading.length === 0) return;
  const round = ++page.tokenRoundCount;
  acceptCounters(
    reading,
    yield* getMany('get nested version tokens', readNames(reading, context)),
    page,
    context,
    round,
  );
}

/**
 * The names `keys` are read under: each counter's copy that this process can reach now
 * (`KeyPlacement.readableCopy`). This is the one place the copy is chosen, for a block's
 * own counters and for those a stored fragment nests alike: the page records what it reads
 * under the names it asked for, so plans and stored fragments name the counters themselves.
 */
function readNames(keys: readonly string[], context: ConversationContext): readonly string[] {
  const placement = context.placement;
  if (placement?.readableCopy === undefined) return keys;
  return keys.map((key) => placement.readableCopy?.(key) ?? key);
}

/**
 * The `add`s that create the counters `missing` with fresh values, and the other copies of
 * each (see `KeyPlacement`) with the same value, so a block's key is the same whichever
 * copy a process reads. A copy that exists already keeps its own value; its answer is not
 * the page's concern.
 */
function creations(
  missing: readonly string[],
  context: ConversationContext,
): { entries: CacheEntry[]; copies: CacheEntry[] } {
  const ttlSeconds = context.versionTtlSeconds;
  const placement = context.placement;
  if (placement === undefined) {
    return { entries: missing.map((key) => ({ key, value: String(freshCounterStart()), ttlSeconds })), copies: [] };
  }
  const values = new Map<string, string>();
  for (const key of missing) {
    if (values.has(key)) continue;
    const value = String(freshCounterStart());
    for (const copy of placement.copiesOf(key)) if (!values.has(copy)) values.set(copy, value);
    values.set(key, value);
  }
  const reading = new Set(missing);
  const entries = missing.map((key) => ({ key, value: values.get(key) as string, ttlSeconds }));
  const copies: CacheEntry[] = [];
  for (const [key, value] of values) if (!reading.has(key)) copies.push({ key, value, ttlSeconds });
  return { entries, copies };
}

/** The keys of `keys` not yet in `read` (nor in `besides`), each once. */
function unread(keys: readonly string[], read: Map<string, unknown>, besides: readonly string[] = []): string[] {
  const seen = new Set<string>(besides);
  const out: string[] = [];
  for (const key of keys) {
    if (seen.has(key) || read.has(key)) continue;
    seen.add(key);
    out.push(key);
  }
  return out;
}
