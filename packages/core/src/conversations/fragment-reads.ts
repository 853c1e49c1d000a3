import type { LeaseAnswer, LeaseRead } from '../fragment-leases';
import type { LeaseSettings } from '../leases/lease-settings';
import type { PageState } from '../page/page-state';
import type { StoredFragment } from '../types';
import { type Conversation, getMany, getStamped, readLeased } from './backend-rounds';
import type { ConversationContext } from './conversation-context';
import { acceptCounters } from './counter-values-read';

/**
 * Decodes a value read under a fragment key; `undefined` for a missing or unreadable one.
 * `stamp`: the value's lease stamp, kept with the process's local copy of it.
 */
export function decoded(
  key: string,
  value: string | undefined,
  context: ConversationContext,
  stamp?: string,
): StoredFragment | undefined {
  return value === undefined ? undefined : context.decode(key, value, stamp);
}

/**
 * Reads `keys` in one round: a plain multi-get, or, with fleet-wide leases, the keys
 * from `stampedFrom` on (fragments) with their stamps, which are recorded in the page
 * (a copy found stale later is replaced only while its stamp holds), and the others
 * (counters) by a multi-get in parallel. No lease is taken. `undefined` where missing.
 */
export function* readStamped(
  what: string,
  keys: readonly string[],
  stampedFrom: number,
  page: PageState,
  leases: LeaseSettings | undefined,
): Conversation<(string | undefined)[]> {
  if (leases === undefined) return yield* getMany(what, keys);
  const plain = keys.slice(0, stampedFrom);
  const stamped = keys.slice(stampedFrom);
  const read = yield* getStamped(
    what,
    plain,
    stamped.map((key) => ({ key })),
    leases.ttlSeconds,
  );
  const values = [...read.values];
  const { answers } = read;
  stamped.forEach((key, index) => {
    const answer = answers[index];
    if (answer?.kind === 'value') {
      page.stamps.set(key, answer.stamp);
      values.push(answer.value);
    } else {
      values.push(undefined);
    }
  });
  return values;
}

/** Fragment keys to read in one round: a level's own fragments, and blocks nested in them read ahead. */
export interface FragmentReads {
  /** The level's own fragments: with leases, a missing one is leased (`if-missing`), a stale one replaced. */
  readonly own: readonly LeaseRead[];
  /** Blocks nested in the level's fragments, read ahead in case those miss; never leased. */
  readonly nested: readonly string[];
  /**
   * Counters of nested blocks read ahead (those a block's key covers, which its hit does
   * not read): recorded as tokens of this round, a missing one left for its lookup.
   */
  readonly counters?: readonly string[];
}

/**
 * Reads fragments into the page in one round. Without leases it is a multi-get. With
 * leases, the level's own fragments take the leases asked for, and what each answer
 * says is recorded: a value (decoded, with its stamp), missing, or the lease won or
 * taken. Blocks read ahead are marked so, since the block around them covers them:
 * whoever renders that block renders them (`nestedAhead`); they and the counters are
 * read by a multi-get in the same round, without stamps.
 */
export function* readFragments(
  what: string,
  reads: FragmentReads,
  page: PageState,
  context: ConversationContext,
  leases: LeaseSettings | undefined,
): Conversation<void> {
  const ownKeys = new Set(reads.own.map((read) => read.key));
  const nested = reads.nested.filter((key) => !ownKeys.has(key));
  const counters = (reads.counters ?? []).filter((key) => !page.tokens.has(key));
  for (const key of nested) page.nestedAhead.add(key);
  const round = counters.length === 0 ? 0 : ++page.tokenRoundCount;
  if (leases === undefined) {
    const keys = [...ownKeys, ...nested];
    const values = yield* getMany(what, [...keys, ...counters]);
    keys.forEach((key, index) => {
      page.fragments.set(key, decoded(key, values[index], context));
    });
    // A counter read ahead that is missing stays unread: the lookup that needs it creates it.
    acceptCounters(counters, values, page, context, round, keys.length);
    return;
  }
  // Blocks read ahead are never leased (the block around them is) and counters need no stamp:
  // a multi-get beside the leased reads, in the same round, costs less a key than a leased read.
  const plain = nested.length === 0 ? counters : [...nested, ...counters];
  const { values, answers } =
    plain.length === 0
      ? { values: [], answers: yield* readLeased(what, reads.own, leases.ttlSeconds) }
      : yield* getStamped(what, plain, reads.own, leases.ttlSeconds);
  reads.own.forEach((read, index) => {
    record(read.key, answers[index] ?? { kind: 'missing' }, page, context);
  });
  nested.forEach((key, index) => {
    page.fragments.set(key, decoded(key, values[index], context));
  });
  acceptCounters(counters, values, page, context, round, nested.length);
}

function record(key: string, answer: LeaseAnswer, page: PageState, context: ConversationContext): void {
  switch (answer.kind) {
    case 'value':
      page.stamps.set(key, answer.stamp);
      page.fragments.set(key, decoded(key, answer.value, context, answer.stamp));
      return;
    case 'won':
      keepOutdated(key, page);
      page.leases.set(key, { state: 'won', stamp: answer.stamp });
      break;
    case 'taken':
      keepOutdated(key, page);
      page.leases.set(key, { state: 'taken' });
      break;
  }
  page.stamps.delete(key);
  page.fragments.set(key, undefined);
}

/** Keeps the copy read under `key` before its lease was taken: the page's renderer may keep parts of it. */
function keepOutdated(key: string, page: PageState): void {
  const stale = page.fragments.get(key);
  if (stale !== undefined) page.outdated.set(key, stale);
}
