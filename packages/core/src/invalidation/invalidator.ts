import type { ConversationRunner } from '../conversations/conversation-runner';
import { bumpCounters } from '../conversations/counter-bumps';
import { CacheSweeperError, describeValue } from '../errors';
import { generationKey, versionKey } from '../keys';
import type { ModelRegistry } from '../models/model-registry';
import type { Reporter } from '../reporting/reporter';
import type { SweeperStats } from '../stats';
import { describeTarget, resolveTarget, type Target } from '../targets';
import { attributeToken } from '../tokens/token-plan';
import { describeSpec } from '../tokens/token-spec';

/** Options of `invalidate`. */
export interface InvalidateOptions {
  /** Asserts the model's token is this attribute (django-cache-sweeper's `using`); see `ModelTokens`. */
  readonly using?: string;
  /** Extra counters to add figures to. */
  readonly stats?: SweeperStats;
}

/**
 * Turns invalidations of rows and models into counter bumps: one round of `incr` for
 * every counter named, duplicates coalesced. Never rejects on a cache failure (it is
 * reported); throws at once on a bad target, or on a `using` that does not match the
 * model's declared token.
 */
export class Invalidator {
  readonly #namespace: string;
  readonly #models: ModelRegistry;
  readonly #runner: ConversationRunner;
  readonly #reporter: Reporter;
  #closed = false;

  /** An invalidator for the keys of `namespace`. */
  constructor(namespace: string, models: ModelRegistry, runner: ConversationRunner, reporter: Reporter) {
    this.#namespace = namespace;
    this.#models = models;
    this.#runner = runner;
    this.#reporter = reporter;
  }

  /** Invalidates rows: bumps the counter of each (rows keyed by an attribute alone need no bump). */
  rows(targets: readonly Target[], options: InvalidateOptions = {}): Promise<void> {
    if (!Array.isArray(targets)) {
      throw new CacheSweeperError('sweeper', `invalidateMany takes an array of targets, got ${describeValue(targets)}`);
    }
    const rows = new Set<string>();
    const keys = new Set<string>();
    for (const target of targets) {
      const { row, counterKey } = this.#invalidationOf(target, options.using);
      rows.add(row);
      if (counterKey !== undefined) keys.add(counterKey);
    }
    return this.#bump([...keys], rows.size, options.stats);
  }

  /** Invalidates every row of the models named, by bumping their generations. */
  models(model: string | readonly string[], options: Pick<InvalidateOptions, 'stats'> = {}): Promise<void> {
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
    return this.#bump([...keys], keys.size, options.stats);
  }

  /** Refuses further bumps (each one is reported instead). */
  close(): void {
    this.#closed = true;
  }

  #invalidationOf(target: Target, using: string | undefined): { row: string; counterKey: string | undefined } {
    const resolved = resolveTarget(target);
    const row = versionKey(this.#namespace, resolved.model, resolved.id);
    const spec = this.#models.specOf(resolved.model);
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
      if (using !== undefined) return { row, counterKey: undefined }; // the save that changed the attribute was the invalidation
      throw new CacheSweeperError(
        'sweeper',
        `invalidate(${describeTarget(resolved)}): ${resolved.model} is keyed by its "${spec.using}" alone, so only a write that changes "${spec.using}" invalidates it; declare { using: "${spec.using}", counter: true } to allow invalidate()`,
      );
    }
    return { row, counterKey: row };
  }

  #bump(keys: readonly string[], invalidations: number, stats: SweeperStats | undefined): Promise<void> {
    const sinks = [stats];
    this.#reporter.count('invalidations', sinks, invalidations);
    if (keys.length === 0) return Promise.resolve();
    if (this.#closed) {
      this.#reporter.report(
        new CacheSweeperError('sweeper', `invalidation of ${keys.length} key(s) after close()`),
        sinks,
      );
      return Promise.resolve();
    }
    if (this.#runner.sync) {
      // In-process counters: bump them now, without a deadline timer or promise hops.
      this.#runner.runSync(bumpCounters(keys), sinks);
      return Promise.resolve();
    }
    return this.#runner.run(bumpCounters(keys), sinks).then(() => undefined);
  }
}
