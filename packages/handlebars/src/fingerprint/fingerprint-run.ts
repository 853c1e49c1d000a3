import { createHash, type Hash } from 'node:crypto';
import type { FingerprintFrame, Read, Registration } from '../types';

/**
 * A value the fingerprint cannot and need not look into: a block's loaded data (its
 * token keys it), or what a helper computed from values already in the fingerprint.
 * Frozen, so nothing can write to it.
 */
export const OPAQUE: object = Object.freeze(Object.create(null));

/** A value read by a fingerprint, and whether the block's own row covers it. */
export class Ref {
  /** A value read from `value`'s path. */
  constructor(
    readonly value: unknown,
    readonly covered: boolean,
  ) {}
}

/** The key under which a read notes the own keys an object had (an `#each` over it reads them all). */
export const KEYS = Symbol('keys');

/** A partial's context extended with its hash (`{{> p user=me}}`): reads of the hash come from the hash, others from the context. */
export interface ExtendedContext {
  readonly base: Ref;
  readonly hash: ReadonlyMap<string, Ref>;
}

/** Thrown to stop a fingerprint that cannot know what its block reads. */
export class CannotKnow extends Error {}

const MAX_VALUES = 20_000;

/** The kind of fact a template's digest is recorded as (see `read-helpers.ts`): no read from outside. */
export const TEMPLATE_FACT = 't';

/**
 * One fingerprint being taken: a digest of every value the block's output depends on
 * that its own row does not key (values read from outside it, template digests of the
 * partials it reaches, the order and number of what it loops over), and the log of
 * every property read, for putting them back while the block renders after the
 * template returned. Lives on the registration's frames while it runs.
 */
export class FingerprintRun implements FingerprintFrame {
  readonly kind = 'fingerprint' as const;
  /** Every property read, in order. */
  readonly log: Read[] = [];
  /** Why the block's reads cannot be known, once they cannot. */
  unknown: string | undefined;
  readonly #hash: Hash = createHash('sha256');
  readonly #covered = new WeakSet<object>();
  readonly #extended = new WeakMap<object, ExtendedContext>();
  #values = 0;
  #outsideFacts = 0;

  /** A run for a block of `registration` whose row is `target`. */
  constructor(
    readonly registration: Registration,
    /** The helpers of the template call (names only matter: `{{name}}` calls a helper if one exists). */
    readonly helpers: Readonly<Record<string, unknown>>,
    /** The helpers passed at run time, which may replace Handlebars' own. */
    readonly runtimeHelpers: Readonly<Record<string, unknown>> | undefined,
    /** The partials the block's template can call. */
    readonly partials: Readonly<Record<string, unknown>>,
    target: unknown,
  ) {
    this.cover(target);
  }

  /** Marks an object as keyed by the block's row (or by a row whose block nests here). */
  cover(value: unknown): void {
    if (value !== null && typeof value === 'object') this.#covered.add(value);
  }

  /** Whether a value is keyed by a row already. */
  isCovered(value: unknown): boolean {
    return value === OPAQUE || (value !== null && typeof value === 'object' && this.#covered.has(value));
  }

  /** Adds one fact to the digest: `kind` says what it is, `text` its value. */
  record(kind: string, text: string): void {
    if (kind !== TEMPLATE_FACT) this.#outsideFacts++;
    this.#hash.update(`${kind}${text.length}:`).update(text);
  }

  /** Whether the block read anything from outside itself (a template's digest is not such a read). */
  get readsOutside(): boolean {
    return this.#outsideFacts > 0 || this.log.length > 0;
  }

  /** Notes a property read; stops the run when the block reads more than a fingerprint can hold. */
  note(object: unknown, key: PropertyKey, value: unknown): void {
    if (object === null || typeof object !== 'object' || object === OPAQUE) return;
    this.spend();
    this.log.push({ object, key, value, present: Object.hasOwn(object, key) });
  }

  /** Notes the own keys of an object looped over. */
  noteKeys(object: object, keys: readonly string[]): void {
    this.log.push({ object, key: KEYS, value: keys, present: true });
  }

  /** Counts one value looked at. */
  spend(): void {
    if (++this.#values > MAX_VALUES) this.giveUp(`it reads more than ${MAX_VALUES} values`);
  }

  /** Stops the run: the block's reads cannot be known. */
  giveUp(reason: string): never {
    this.unknown ??= reason;
    throw new CannotKnow(reason);
  }

  /** Registers a partial's extended context. */
  extend(context: object, extended: ExtendedContext): void {
    this.#extended.set(context, extended);
  }

  /** The extension of a partial's context, if `value` is one. */
  extensionOf(value: unknown): ExtendedContext | undefined {
    return value !== null && typeof value === 'object' ? this.#extended.get(value) : undefined;
  }

  /** Whether `key` of `object` is a hash argument of the partial whose context `object` is (never a row's data). */
  isHashArgument(object: unknown, key: string): boolean {
    return object !== null && typeof object === 'object' && this.registration.extensions.get(object)?.has(key) === true;
  }

  /** Whether `name` is Handlebars' own helper, not replaced on the instance or at run time. */
  isBuiltin(name: string): boolean {
    const builtin = this.registration.builtins[name];
    return (
      builtin !== undefined &&
      this.registration.handlebars.helpers[name] === builtin &&
      (this.runtimeHelpers === undefined || !Object.hasOwn(this.runtimeHelpers, name))
    );
  }

  /** Whether `{{name}}` calls a helper. */
  isHelper(name: string): boolean {
    return name !== '' && Object.hasOwn(this.helpers, name) && this.helpers[name] !== undefined;
  }

  /** The digest, 22 characters of base64url. */
  digest(): string {
    return this.#hash.digest('base64url').slice(0, 22);
  }
}
