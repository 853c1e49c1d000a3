import {
  type CacheBackend,
  CacheSweeperError,
  fragmentKey,
  isValidCacheKey,
  type KeyPart,
  quoteFragment,
  quotePrimaryKey,
  type Sweeper,
} from '@cachesweeper/core';
import { hostileKeyPart, hostileRawKey, hostileText, hostileValue, pickOne } from './hostile-generators';

/** One fuzz case: a fragment (target, key parts, TTL, HTML) and a raw key for the backend itself. */
export interface HostileCase {
  readonly model: string;
  readonly id: KeyPart;
  readonly parts: KeyPart[];
  readonly ttlSeconds: number;
  readonly value: string;
  readonly rawKey: string;
}

const MODELS = ['Article', 'Comment', 'Vote', 'a:b', 'Ünïcode'];
// 0, ordinary ones, exactly 30 days, one second more (read as a date by memcached unless clamped), ten years.
const TTLS = [0, 60, 3600, 2_592_000, 2_592_001, 315_360_000];
// A token as the default spec builds it: `c` and a counter of 16 digits.
const TOKEN = `c${2 ** 52}`;

/** Draws a case; about one in ten has a filler part that puts its key at 245–262 bytes before hashing. */
export function hostileCase(random: () => number): HostileCase {
  const model = random() < 0.8 ? pickOne(random, MODELS) : hostileText(random, Math.floor(random() * 30));
  const id = random() < 0.5 ? Math.floor(random() * 1000) : hostileKeyPart(random);
  const parts = Array.from({ length: Math.floor(random() * 5) }, () => hostileKeyPart(random));
  if (random() < 0.1) {
    try {
      const base = fragmentKey('cs', { model, id, token: TOKEN, digest: '', parts: [...parts, ''] }).length;
      const fill = 245 + Math.floor(random() * 18) - base;
      if (fill >= 0) parts.push('k'.repeat(fill));
    } catch {
      // a part that cannot be quoted: the case tests the refusal instead
    }
  }
  return {
    model,
    id,
    parts,
    ttlSeconds: pickOne(random, TTLS),
    value: hostileValue(random),
    rawKey: hostileRawKey(random),
  };
}

/**
 * Whether a value can be cached byte for byte, by the backend contract: it has a UTF-8
 * form (no lone surrogate) of at most the backend's `maxValueBytes`.
 */
export function cacheable(value: string, maxValueBytes: number): boolean {
  return (value as string & { isWellFormed(): boolean }).isWellFormed() && Buffer.byteLength(value) <= maxValueBytes;
}

/** What the fuzzing found. */
export interface HostileFigures {
  cases: number;
  /** Fragments refused at once with a CacheSweeperError (bad target or key part). */
  refused: number;
  roundTripped: number;
  notCachedAsExpected: number;
  /** Values the backend should have refused (ill-formed, or above its maxValueBytes) but cached. */
  readonly cachedBeyond: string[];
  keysChecked: number;
  hashedKeys: number;
  /** Keys of 249–260 bytes before hashing. */
  boundaryKeys: number;
  rawKeysValid: number;
  rawKeysRefused: number;
  /** Problems: each is a failure of the suite. */
  readonly corrupted: string[];
  readonly lost: string[];
  readonly badErrors: string[];
  readonly protocolErrors: string[];
  readonly keyCollisions: string[];
  readonly invalidKeys: string[];
}

/** Fresh figures. */
export function emptyHostileFigures(): HostileFigures {
  return {
    cases: 0,
    refused: 0,
    roundTripped: 0,
    notCachedAsExpected: 0,
    cachedBeyond: [],
    keysChecked: 0,
    hashedKeys: 0,
    boundaryKeys: 0,
    rawKeysValid: 0,
    rawKeysRefused: 0,
    corrupted: [],
    lost: [],
    badErrors: [],
    protocolErrors: [],
    keyCollisions: [],
    invalidKeys: [],
  };
}

const describe = (value: unknown) =>
  typeof value === 'string' ? `${JSON.stringify(value.slice(0, 60))}… (${value.length} units)` : String(value);

/** Checks a refusal: it must be a CacheSweeperError with the package's prefix, thrown or rejected at once. */
function checkRefusal(error: unknown, where: string, figures: HostileFigures): void {
  if (!(error instanceof CacheSweeperError) || !error.message.startsWith('[cachesweeper] ')) {
    figures.badErrors.push(`${where}: ${String((error as Error)?.stack ?? error)}`);
  }
}

/**
 * The key of a case, as the sweeper builds it (with a stand-in token): it must be a
 * valid memcached key, and no two different inputs may share one (`seen` maps each key
 * to the typed input that made it). Returns the key, or undefined when the input is refused.
 */
export function checkKey(test: HostileCase, seen: Map<string, string>, figures: HostileFigures): string | undefined {
  let key: string;
  let unhashedLength: number;
  try {
    key = fragmentKey('cs', { model: test.model, id: test.id, token: TOKEN, digest: '', parts: test.parts });
    const quoted = quoteFragment({ model: test.model, id: test.id, digest: '', parts: test.parts });
    unhashedLength = `cs:${quoted.head}:${TOKEN}:${quoted.tail}`.length;
  } catch (error) {
    checkRefusal(error, 'fragmentKey', figures);
    return undefined;
  }
  figures.keysChecked += 1;
  if (!isValidCacheKey(key)) figures.invalidKeys.push(key);
  if (key.includes('#')) figures.hashedKeys += 1;
  if (unhashedLength >= 249 && unhashedLength <= 260) figures.boundaryKeys += 1;
  const input = `${test.model}\u0000${quotePrimaryKey(test.id)}\u0000${test.parts.map(typed).join('\u0000')}`;
  const before = seen.get(key);
  if (before !== undefined && before !== input)
    figures.keyCollisions.push(`${key}: ${describe(before)} / ${describe(input)}`);
  seen.set(key, input);
  return key;
}

function typed(part: KeyPart): string {
  if (part instanceof Date) return `date:${part.getTime()}`;
  if (typeof part === 'number' && Object.is(part, -0)) return 'number:-0';
  return `${typeof part}:${String(part)}`;
}

/** Stores a case's fragment through the sweeper; the first render must be the value itself. */
export async function storeThroughSweeper(
  sweeper: Sweeper,
  test: HostileCase,
  figures: HostileFigures,
): Promise<boolean> {
  try {
    const html = await sweeper.fragment(
      { model: test.model, id: test.id },
      test.ttlSeconds,
      test.parts,
      () => test.value,
    );
    if (html !== test.value) figures.corrupted.push(`first render of ${describe(test.value)} came back changed`);
    return true;
  } catch (error) {
    figures.refused += 1;
    checkRefusal(error, 'sweeper.fragment', figures);
    return false;
  }
}

/** Reads a case's fragment back: a hit must be byte-exact; a miss must be a value that cannot be cached. Then deletes it. */
export async function readBackThroughSweeper(
  sweeper: Sweeper,
  test: HostileCase,
  figures: HostileFigures,
): Promise<void> {
  let rendered = false;
  const target = { model: test.model, id: test.id };
  const html = await sweeper.fragment(target, test.ttlSeconds, test.parts, () => {
    rendered = true;
    return test.value;
  });
  const expected = cacheable(test.value, sweeper.backend.maxValueBytes);
  if (!rendered) {
    if (html !== test.value) figures.corrupted.push(`${describe(test.value)} came back as ${describe(html)}`);
    else if (expected) figures.roundTripped += 1;
    else figures.cachedBeyond.push(`${describe(test.value)} (${Buffer.byteLength(test.value)} bytes) was cached`);
  } else if (expected) {
    figures.lost.push(`${describe(test.value)} (TTL ${test.ttlSeconds}) was not served from the cache`);
  } else {
    figures.notCachedAsExpected += 1;
  }
  const [found] = await sweeper.lookup([{ target, ttlSeconds: test.ttlSeconds, parts: test.parts }]);
  if (found?.key !== undefined) await sweeper.backend.delete(found.key);
}

/** Sends a case's raw key straight to the backend: an invalid key must be refused before the server, a valid one must work. */
export async function rawKeyRoundTrip(
  backend: CacheBackend,
  test: HostileCase,
  figures: HostileFigures,
): Promise<void> {
  const { rawKey: key, value } = test;
  const valid = isValidCacheKey(key);
  // incr runs while the key is missing: on a stored HTML value memcached would answer CLIENT_ERROR, which is misuse, not hostile input.
  const calls: [string, () => Promise<unknown>][] = [
    ['delete', () => backend.delete(key)],
    ['incr', () => backend.incr(key, 1)],
    ['set', () => backend.set(key, value, test.ttlSeconds)],
    ['get', () => backend.get(key)],
    ['getMany', () => backend.getMany([key, 'canary:0'])],
    ['add', () => backend.add(key, value, 0)],
    ['delete', () => backend.delete(key)],
  ];
  if (valid) figures.rawKeysValid += 1;
  else figures.rawKeysRefused += 1;
  for (const [operation, call] of calls) {
    let result: unknown;
    try {
      result = await call();
    } catch (error) {
      if (valid) figures.protocolErrors.push(`${operation} of valid key ${describe(key)}: ${String(error)}`);
      else checkRefusal(error, `${operation} of ${describe(key)}`, figures);
      continue;
    }
    if (!valid) {
      figures.badErrors.push(`${operation} of invalid key ${describe(key)} was not refused`);
    } else if (operation === 'get') {
      const stored = cacheable(value, backend.maxValueBytes);
      if (stored && result !== value) figures.corrupted.push(`raw get of ${describe(value)} gave ${describe(result)}`);
      if (!stored && result !== undefined)
        figures.corrupted.push(`raw get of an uncacheable value gave ${describe(result)}`);
    }
  }
}

/** What a batch of cases needs. */
export interface HostileTarget {
  readonly sweeper: Sweeper;
  readonly backend: CacheBackend;
  /** Every fragment key seen so far, with the input that made it. */
  readonly seen: Map<string, string>;
  readonly figures: HostileFigures;
}

/**
 * Runs a batch of cases concurrently, except that cases sharing a fragment (same
 * target and parts) or a raw key wait for a later round: two concurrent writers of
 * one key would see each other's values, which says nothing about the cache.
 */
export async function runHostileBatch(cases: readonly HostileCase[], target: HostileTarget): Promise<void> {
  const { sweeper, backend, seen, figures } = target;
  let pending = cases.map((test) => ({ test, key: checkKey(test, seen, figures) }));
  figures.cases += cases.length;
  while (pending.length > 0) {
    const taken = new Set<string>();
    const round: HostileCase[] = [];
    const later: typeof pending = [];
    for (const item of pending) {
      const names = [`raw ${item.test.rawKey}`, ...(item.key === undefined ? [] : [`fragment ${item.key}`])];
      if (names.some((name) => taken.has(name))) {
        later.push(item);
        continue;
      }
      for (const name of names) taken.add(name);
      round.push(item.test);
    }
    const stored = await Promise.all(round.map((test) => storeThroughSweeper(sweeper, test, figures)));
    await sweeper.idle();
    await Promise.all(
      round.map((test, index) => (stored[index] ? readBackThroughSweeper(sweeper, test, figures) : undefined)),
    );
    await Promise.all(round.map((test) => rawKeyRoundTrip(backend, test, figures)));
    pending = later;
  }
}
