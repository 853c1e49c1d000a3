import type { KeyPlacement } from '../backend';
import { CacheSweeperError, describeValue } from '../errors';
import { isGenerationKey, keyOf, quoteFragment, quoteFragmentTail, quoteWholeModel } from '../keys';
import { containerContents } from '../models/container-keys';
import type { ModelRegistry } from '../models/model-registry';
import { describeTarget, resolveTarget, type Target } from '../targets';
import { planToken } from '../tokens/token-plan';
import type { KeyPart, PlannedFragment } from '../types';

/** One fragment to look up: what `fragment` takes, for renderers that batch. */
export interface FragmentRequest {
  /** The row the fragment shows (see `Target`). */
  readonly target: Target;
  /** Lifetime in whole seconds; 0 = as long as the version keys live. */
  readonly ttlSeconds: number;
  /** Extra key parts, e.g. the template name. */
  readonly parts?: readonly KeyPart[];
  /** A digest of the template source, so an edited template never serves old HTML. */
  readonly digest?: string;
}

/**
 * Checks fragment requests and works out, once per request, everything a lookup
 * needs: the token plan and the key quoted but for its token (through `keys.ts`,
 * the one key builder), and the fragment's lifetime, which never exceeds that of
 * the version keys it is keyed on.
 */
export class FragmentPlanner {
  readonly #namespace: string;
  readonly #models: ModelRegistry;
  readonly #versionTtlSeconds: number;
  readonly #placement: KeyPlacement | undefined;

  /**
   * A planner for keys of `namespace`, with version keys living `versionTtlSeconds` (0 = no
   * expiry); with a backend's `placement`, a block is keyed on the copy of its model's
   * generation that lives beside its row's counter (which copy of a counter is read is
   * decided when it is read: `token-reads.ts`).
   */
  constructor(namespace: string, models: ModelRegistry, versionTtlSeconds: number, placement?: KeyPlacement) {
    this.#namespace = namespace;
    this.#models = models;
    this.#versionTtlSeconds = versionTtlSeconds;
    this.#placement = placement;
  }

  /** Plans one request; throws a CacheSweeperError naming the bad value. */
  plan(request: FragmentRequest): PlannedFragment {
    if (request === null || typeof request !== 'object') {
      throw new CacheSweeperError('sweeper', `fragment request must be an object, got ${describeValue(request)}`);
    }
    const target = resolveTarget(request.target);
    const { ttlSeconds, parts = [], digest = '' } = request;
    if (!isTtl(ttlSeconds)) throw ttlError(ttlSeconds, `TTL of ${describeTarget(target)}`);
    if (!Array.isArray(parts)) {
      throw new CacheSweeperError(
        'sweeper',
        `key parts of ${describeTarget(target)} must be an array, got ${describeValue(parts)}`,
      );
    }
    if (typeof digest !== 'string') {
      throw new CacheSweeperError(
        'sweeper',
        `digest of ${describeTarget(target)} must be a string, got ${describeValue(digest)}`,
      );
    }
    const { spec, generationKey, within, container } = this.#models.keysOf(target.model);
    if (target.wholeModel)
      return this.#planWholeModel(target.model, spec.generation, generationKey, digest, parts, ttlSeconds);
    const quoted = quoteFragment({ model: target.model, id: target.id, digest, parts });
    // The row's counter key anchors the copy even for a row keyed by an attribute alone: it spreads rows alike.
    const generation = this.#beside(generationKey, () => keyOf(this.#namespace, quoted.head));
    const planned: PlannedFragment = {
      model: target.model,
      id: target.id,
      plan: planToken(this.#namespace, target, spec, quoted.head, generation, container),
      quoted,
      ttlSeconds: this.#fragmentTtl(ttlSeconds),
    };
    if (within.length === 0) return planned;
    const containers = containerContents(this.#namespace, target, within);
    return containers.length === 0 ? planned : { ...planned, within: containers };
  }

  /** A fragment about the whole model: keyed by its generation and its model counter. */
  #planWholeModel(
    model: string,
    generation: boolean,
    generationKey: string | undefined,
    digest: string,
    parts: readonly KeyPart[],
    ttlSeconds: number,
  ): PlannedFragment {
    if (!generation || generationKey === undefined) throw wholeModelUndeclared(model);
    const head = quoteWholeModel(model);
    const counterKey = keyOf(this.#namespace, head);
    return {
      model,
      id: undefined,
      wholeModel: true,
      plan: { counterKey, generationKey: this.#beside(generationKey, () => counterKey), attributePart: undefined },
      quoted: { head, tail: quoteFragmentTail(digest, parts) },
      ttlSeconds: this.#fragmentTtl(ttlSeconds),
    };
  }

  /** The copy of `generationKey` a block anchored at `anchor()` reads (see `KeyPlacement`). */
  #beside(generationKey: string | undefined, anchor: () => string): string | undefined {
    if (generationKey === undefined || this.#placement === undefined || !isGenerationKey(generationKey)) {
      return generationKey;
    }
    return this.#placement.copyBeside(generationKey, anchor());
  }

  #fragmentTtl(ttlSeconds: number): number {
    // A fragment must not outlive the counter it is keyed on.
    if (this.#versionTtlSeconds === 0) return ttlSeconds;
    return ttlSeconds === 0 ? this.#versionTtlSeconds : Math.min(ttlSeconds, this.#versionTtlSeconds);
  }
}

/** Whether `ttlSeconds` is a whole number of seconds >= 0. */
export function isTtl(ttlSeconds: unknown): ttlSeconds is number {
  return typeof ttlSeconds === 'number' && Number.isSafeInteger(ttlSeconds) && ttlSeconds >= 0;
}

/** The error for a TTL that is not a whole number of seconds >= 0; `what` names it. */
export function ttlError(ttlSeconds: unknown, what: string): CacheSweeperError {
  return new CacheSweeperError(
    'sweeper',
    `${what} must be a whole number of seconds >= 0, got ${describeValue(ttlSeconds)}`,
  );
}

/** The error for a whole-model target (or invalidation) of a model that keeps no model counter. */
export function wholeModelUndeclared(model: string): CacheSweeperError {
  return new CacheSweeperError(
    'sweeper',
    `{ model: ${JSON.stringify(model)} } stands for the whole model, which is keyed by its generation and model counter: declare ${model} with { generation: true } (createSweeper({ models: { ${model}: { generation: true } } }); installSweeper declares every ruled model so)`,
  );
}
