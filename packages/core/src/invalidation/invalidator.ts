import type { CacheEntry, KeyPlacement } from '../backend';
import { setMany } from '../conversations/backend-rounds';
import type { ConversationRunner } from '../conversations/conversation-runner';
import { bumpCounters } from '../conversations/counter-bumps';
import { CacheSweeperError, describeValue } from '../errors';
import { wholeModelUndeclared } from '../fragments/fragment-planner';
import {
  generationKey,
  isGenerationKey,
  isModelCounterKey,
  isValidCacheKey,
  modelCounterKey,
  versionKey,
} from '../keys';
import { containerKeysOf } from '../models/container-keys';
import type { ModelRegistry } from '../models/model-registry';
import type { Reporter } from '../reporting/reporter';
import type { SweeperStats } from '../stats';
import { describeTarget, resolveTarget, type Target } from '../targets';
import { attributeToken } from '../tokens/token-plan';
import { describeSpec } from '../tokens/token-spec';
import { contentsRecordKey, encodeContentsRecord } from './contents-records';

/** The row counters each bumped contents counter is recorded with; `null` where a row could not be named (no record then). */
type RowsWithin = Map<string, Set<string> | null>;

/** Options of `invalidate`. */
export interface InvalidateOptions {
  /** Asserts the model's token is this attribute (django-cache-sweeper's `using`); see `ModelTokens`. */
  readonly using?: string;
  /** Extra counters to add figures to. */
  readonly stats?: SweeperStats;
}

/** How an invalidation went. */
export interface InvalidationOutcome {
  /**
   * True when every bump was answered (a missing counter needs none); false when the
   * round failed or missed its deadline — the bump may or may not have landed, and
   * sending it again is safe (tokens never repeat: a second bump costs one miss).
   */
  readonly landed: boolean;
  /** The version keys bumped (or to bump again), each once. */
  readonly keys: readonly string[];
}

/**
 * Turns invalidations of rows and models into counter bumps: one round of `incr` for
 * every counter named, duplicates coalesced. Never rejects on a cache failure (it is
 * reported, and the outcome says it did not land); throws at once on a bad target, or
 * on a `using` that does not match the model's declared token.
 */
export class Invalidator {
  readonly #namespace: string;
  readonly #models: ModelRegistry;
  readonly #runner: ConversationRunner;
  readonly #reporter: Reporter;
  readonly #placement: KeyPlacement | undefined;
  readonly #recordTtlSeconds: number;
  #closed = false;

  /**
   * An invalidator for the keys of `namespace`, bumping through `runner` (whose deadline is
   * the invalidations'); with a backend's `placement`, a version key is bumped in every copy.
   * The records of contents bumps (see `contents-records.ts`) live `recordTtlSeconds`.
   */
  constructor(
    namespace: string,
    models: ModelRegistry,
    runner: ConversationRunner,
    reporter: Reporter,
    placement?: KeyPlacement,
    recordTtlSeconds = 86_400,
  ) {
    this.#recordTtlSeconds = recordTtlSeconds;
    this.#namespace = namespace;
    this.#models = models;
    this.#runner = runner;
    this.#reporter = reporter;
    this.#placement = placement;
  }

  /** Invalidates rows: bumps the counter of each (rows keyed by an attribute alone need no bump). */
  rows(targets: readonly Target[], options: InvalidateOptions = {}): Promise<InvalidationOutcome> {
    const { rows, keys, within } = this.#rowKeys(targets, options.using);
    return this.#bump(keys, rows, options.stats, within);
  }

  /** The counter keys `rows` would bump, checked the same way, without bumping them. */
  rowKeys(targets: readonly Target[], options: Pick<InvalidateOptions, 'using'> = {}): string[] {
    return this.#rowKeys(targets, options.using).keys;
  }

  /** Invalidates every row of the models named, by bumping their generations. */
  models(
    model: string | readonly string[],
    options: Pick<InvalidateOptions, 'stats'> = {},
  ): Promise<InvalidationOutcome> {
    const keys = this.modelKeys(model);
    return this.#bump(keys, keys.length, options.stats);
  }

  /** The generation keys `models` would bump, checked the same way, without bumping them. */
  modelKeys(model: string | readonly string[]): string[] {
    const models = typeof model === 'string' ? [model] : model;
    if (!Array.isArray(models)) {
      throw new CacheSweeperError(
        'sweeper',
        `invalidateModel takes a model name or an array of them, got ${describeValue(model)}`,
      );
    }
    const keys = new Set<string>();
    for (const name of models) {
      if (!this.#models.specOf(name).generation) {
        throw new CacheSweeperError(
          'sweeper',
          `invalidateModel(${describeValue(name)}): the model is not declared with { generation: true }, so its keys hold no generation to bump`,
        );
      }
      keys.add(generationKey(this.#namespace, name));
    }
    return [...keys];
  }

  /**
   * Bumps version keys given as they are (as `rowKeys`/`modelKeys` returned them), e.g.
   * replayed from a durable log; each must be a key of this sweeper's namespace.
   */
  keys(keys: readonly string[], options: Pick<InvalidateOptions, 'stats'> = {}): Promise<InvalidationOutcome> {
    if (!Array.isArray(keys)) {
      throw new CacheSweeperError('sweeper', `bumpKeys takes an array of version keys, got ${describeValue(keys)}`);
    }
    for (const key of keys) {
      if (typeof key !== 'string' || !isValidCacheKey(key) || !key.startsWith(`${this.#namespace}:`)) {
        throw new CacheSweeperError(
          'sweeper',
          `bumpKeys: ${describeValue(key)} is not a version key of namespace "${this.#namespace}"`,
        );
      }
    }
    const unique = [...new Set(keys)];
    // A model counter rides along with the rows of its model, a contents counter with the rows
    // within its row: neither is a row invalidated.
    const rowKeys = unique.filter((key) => !isModelCounterKey(key) && !this.#models.mayBeContentsKey(key));
    // Which row each contents counter went with is not kept with bare keys: each is recorded with all of them.
    const named = rowKeys.filter((key) => !isGenerationKey(key));
    const within: RowsWithin = new Map();
    for (const key of unique) if (this.#models.mayBeContentsKey(key)) within.set(key, new Set(named));
    return this.#bump(unique, rowKeys.length, options.stats, within);
  }

  /** Refuses further bumps (each one is reported instead). */
  close(): void {
    this.#closed = true;
  }

  #rowKeys(
    targets: readonly Target[],
    using: string | undefined,
  ): { rows: number; keys: string[]; within: RowsWithin } {
    if (!Array.isArray(targets)) {
      throw new CacheSweeperError('sweeper', `invalidateMany takes an array of targets, got ${describeValue(targets)}`);
    }
    const rows = new Set<string>();
    const keys = new Set<string>();
    const within: RowsWithin = new Map();
    for (const target of targets) {
      const { row, counterKey, modelKey, containerKeys } = this.#invalidationOf(target, using);
      rows.add(row);
      if (counterKey !== undefined) keys.add(counterKey);
      if (modelKey !== undefined) keys.add(modelKey);
      for (const key of containerKeys) {
        keys.add(key);
        if (this.#models.mayBeContentsKey(key)) noteRowWithin(within, key, counterKey);
      }
    }
    return { rows: rows.size, keys: [...keys], within };
  }

  /**
   * The keys one target's invalidation bumps: its row counter, the model counter of a
   * model with a generation, and the counters of the rows it lives within (`within`).
   */
  #invalidationOf(
    target: Target,
    using: string | undefined,
  ): { row: string; counterKey: string | undefined; modelKey: string | undefined; containerKeys: string[] } {
    const resolved = resolveTarget(target);
    const { spec, within } = this.#models.keysOf(resolved.model);
    const containerKeys = within.length === 0 ? [] : containerKeysOf(this.#namespace, resolved, within, this.#models);
    // Fragments about the whole model change with any of its rows.
    const modelKey = spec.generation ? modelCounterKey(this.#namespace, resolved.model) : undefined;
    if (resolved.wholeModel) {
      if (modelKey === undefined) throw wholeModelUndeclared(resolved.model);
      return { row: modelKey, counterKey: undefined, modelKey, containerKeys };
    }
    const row = versionKey(this.#namespace, resolved.model, resolved.id);
    if (using !== undefined) {
      if (spec.using !== using) {
        throw new CacheSweeperError(
          'sweeper',
          `invalidate(${describeTarget(resolved)}, { using: ${describeValue(using)} }): ${resolved.model} is declared as ${describeSpec(spec)}; declare it with createSweeper({ models: { ${resolved.model}: { using: ${describeValue(using)} } } }) so reads use the same token`,
        );
      }
      attributeToken(resolved, using); // the attribute must be loaded, as in a read
    }
    if (!spec.counter) {
      if (using !== undefined) return { row, counterKey: undefined, modelKey, containerKeys }; // the save that changed the attribute was the invalidation
      throw new CacheSweeperError(
        'sweeper',
        `invalidate(${describeTarget(resolved)}): ${resolved.model} is keyed by its "${spec.using}" alone, so only a write that changes "${spec.using}" invalidates it; declare { using: "${spec.using}", counter: true } to allow invalidate()`,
      );
    }
    return { row, counterKey: row, modelKey, containerKeys };
  }

  #bump(
    keys: readonly string[],
    invalidations: number,
    stats: SweeperStats | undefined,
    within: RowsWithin = new Map(),
  ): Promise<InvalidationOutcome> {
    const sinks = [stats];
    this.#reporter.count('invalidations', sinks, invalidations);
    if (keys.length === 0) return Promise.resolve({ landed: true, keys });
    if (this.#closed) {
      this.#reporter.report(
        new CacheSweeperError('sweeper', `invalidation of ${keys.length} key(s) after close()`),
        sinks,
      );
      return Promise.resolve({ landed: false, keys });
    }
    // Keys name a counter once (an outbox row keeps that name whatever the servers); every copy goes.
    const bumped = this.#everyCopy(keys);
    // The contents counters of rows others live within go again once the others' bumps were
    // answered: a page that read such a counter after the first bump but an inner row's before
    // its own bump stored its rendering with a contents token that the second bump retires.
    const again = this.#everyCopy(keys.filter((key) => this.#models.mayBeContentsKey(key)));
    const conversation = bumpCounters(bumped, again);
    // The records only spare readers work: one that failed to land leaves the bumps landed.
    if (this.#runner.sync) {
      // In-process counters: bump them now, without a deadline timer or promise hops.
      const outcome = this.#runner.runSync(conversation, sinks);
      const records = outcome.ok ? this.#records(outcome.value, within) : [];
      if (records.length > 0) this.#runner.runSync(setMany('record contents bumps', records), sinks);
      return Promise.resolve({ landed: outcome.ok, keys });
    }
    return this.#runner.run(conversation, sinks).then(async (outcome) => {
      const records = outcome.ok ? this.#records(outcome.value, within) : [];
      if (records.length > 0) await this.#runner.run(setMany('record contents bumps', records), sinks);
      return { landed: outcome.ok, keys };
    });
  }

  /**
   * For each value a contents counter was bumped to, the record of the rows bumped with it
   * (see `contents-records.ts`). None with key copies: a counter's copies number their bumps
   * alike only until one misses a bump (its server out of reach), and from then on a value
   * no longer names one bump.
   */
  #records(bumped: readonly [key: string, value: number][], within: RowsWithin): CacheEntry[] {
    if (this.#placement !== undefined) return [];
    const entries: CacheEntry[] = [];
    for (const [contents, value] of bumped) {
      const rows = within.get(contents);
      if (rows === null || rows === undefined || rows.size === 0) continue;
      const key = contentsRecordKey(contents, String(value));
      entries.push({ key, value: encodeContentsRecord(rows), ttlSeconds: this.#recordTtlSeconds });
    }
    return entries;
  }

  /** `keys` with each version key replaced by all its copies (see `KeyPlacement`). */
  #everyCopy(keys: readonly string[]): readonly string[] {
    const placement = this.#placement;
    if (placement === undefined) return keys;
    return [...new Set(keys.flatMap((key) => placement.copiesOf(key)))];
  }
}

/** Notes that `row` (its counter; `undefined` for a row keyed by an attribute alone, which no reader can re-check) went with `contents`. */
function noteRowWithin(within: RowsWithin, contents: string, row: string | undefined): void {
  const rows = within.get(contents);
  if (rows === null) return;
  within.set(contents, row === undefined ? null : (rows ?? new Set<string>()).add(row));
}
