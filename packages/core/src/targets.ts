import { CacheSweeperError, describeValue } from './errors';
import type { KeyPart } from './types';

/**
 * Marks plain template data with the row it came from, so a template can pass plain
 * data (which Handlebars reads safely) and the helper still knows the model, the
 * primary key and the token attributes. `Symbol.for`, so ESM and CommonJS copies of
 * this package agree on it.
 */
export const TARGET_META = Symbol.for('cachesweeper.target');

/** What a row is, as far as cache keys are concerned. */
export interface TargetMeta {
  /** The model name, e.g. `Article`. */
  readonly model: string;
  /** The primary key; an array for a composite key. */
  readonly id: KeyPart | readonly KeyPart[];
  /** Attribute values a token may use (e.g. `updatedAt`), as loaded with the row. */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** A plain reference to a row: `{ model: 'Article', id: 7 }`, optionally with token attributes (`updatedAt`). */
export interface TargetRef {
  /** The model name. */
  readonly model: string;
  /** The primary key. */
  readonly id: KeyPart | readonly KeyPart[];
  /** Any attribute a token uses, e.g. `updatedAt` for a model keyed by it. */
  readonly [attribute: string]: unknown;
}

/**
 * The whole of a model, not one row: `{ model: 'Category' }`, for a fragment such as
 * "all categories". Keyed by the model's generation and its model counter, which every
 * invalidation of one of its rows bumps (the model must be declared with `generation: true`).
 */
export interface WholeModelRef {
  /** The model name. */
  readonly model: string;
}

/**
 * What `invalidate` and `fragment` accept: a model instance (Sequelize or any object
 * whose class lists `primaryKeyAttributes` and that has `get(name)`), plain data
 * marked with `TARGET_META`, a `TargetRef`, or a `WholeModelRef`.
 */
export type Target = object;

/** A target reduced to the facts keys are made of. */
export interface ResolvedTarget {
  /** The model name. */
  readonly model: string;
  /** The primary key. */
  readonly id: KeyPart | readonly KeyPart[];
  /** Reads an attribute of the row as loaded; `undefined` when it was not loaded. */
  readonly attribute: (name: string) => unknown;
  /** Whether the row has `name` at all (loaded, even as null). */
  readonly hasAttribute: (name: string) => boolean;
  /** True for a `WholeModelRef`: the model as a whole (its `id` is then `undefined`). */
  readonly wholeModel?: true;
}

interface ModelClassLike {
  readonly name?: unknown;
  readonly primaryKeyAttributes?: unknown;
}

interface InstanceLike {
  readonly constructor: ModelClassLike;
  get(name: string): unknown;
  readonly dataValues?: Record<string, unknown>;
}

/** Reduces a target to model, primary key and attribute reader; throws a CacheSweeperError naming the bad value. */
export function resolveTarget(target: unknown): ResolvedTarget {
  if (target === null || typeof target !== 'object') {
    throw new CacheSweeperError('targets', `target ${describeValue(target)} ${EXPECTED}`);
  }
  const meta = (target as { [TARGET_META]?: TargetMeta })[TARGET_META];
  if (meta !== undefined) return fromMeta(meta, target);
  if (isModelInstance(target)) return fromInstance(target);
  if (isRef(target)) return fromRef(target);
  if (isWholeModel(target)) return new WholeModelTarget(checkModelName(target.model, target));
  throw new CacheSweeperError('targets', `target ${describeValue(target)} ${EXPECTED}`);
}

const EXPECTED =
  'is neither a model instance, data marked with TARGET_META, a reference { model: "Name", id }, nor a whole model { model: "Name" }';

// Exactly `{ model }`: a reference whose `id` was misspelt must not silently stand for every row.
function isWholeModel(value: object): value is WholeModelRef {
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'model' && typeof (value as { model?: unknown }).model === 'string';
}

function isModelInstance(value: object): value is InstanceLike {
  const candidate = value as Partial<InstanceLike>;
  return (
    typeof candidate.get === 'function' &&
    typeof candidate.constructor === 'function' &&
    Array.isArray((candidate.constructor as ModelClassLike).primaryKeyAttributes)
  );
}

function isRef(value: object): value is TargetRef {
  return typeof (value as { model?: unknown }).model === 'string' && 'id' in value;
}

// Small classes rather than closures: one shape per kind of target, nothing allocated per method.

class AttributeBag implements ResolvedTarget {
  constructor(
    readonly model: string,
    readonly id: KeyPart | readonly KeyPart[],
    private readonly values: Readonly<Record<string, unknown>>,
  ) {}

  attribute(name: string): unknown {
    return this.values[name];
  }

  hasAttribute(name: string): boolean {
    return name in this.values;
  }
}

class InstanceTarget implements ResolvedTarget {
  constructor(
    readonly model: string,
    readonly id: KeyPart | readonly KeyPart[],
    private readonly instance: InstanceLike,
  ) {}

  attribute(name: string): unknown {
    return this.instance.get(name);
  }

  hasAttribute(name: string): boolean {
    return this.instance.dataValues === undefined || name in this.instance.dataValues;
  }
}

class WholeModelTarget implements ResolvedTarget {
  readonly id = undefined;
  readonly wholeModel = true;
  constructor(readonly model: string) {}

  attribute(): unknown {
    return undefined;
  }

  hasAttribute(): boolean {
    return false;
  }
}

function fromMeta(meta: TargetMeta, data: object): ResolvedTarget {
  if (meta === null || typeof meta !== 'object' || typeof meta.model !== 'string') {
    throw new CacheSweeperError('targets', `TARGET_META ${describeValue(meta)} must be { model, id, attributes? }`);
  }
  const attributes = meta.attributes ?? (data as Record<string, unknown>);
  return new AttributeBag(checkModelName(meta.model, meta), checkId(meta.id, meta.model), attributes);
}

function fromInstance(instance: InstanceLike): ResolvedTarget {
  const modelClass = instance.constructor;
  // Sequelize sets a model class's `name` to its modelName, whatever the class is called.
  const model = checkModelName(modelClass.name, instance);
  const keyNames = modelClass.primaryKeyAttributes as unknown[];
  if (keyNames.length === 0) {
    throw new CacheSweeperError('targets', `model ${model} has no primary key, so its rows cannot be cache targets`);
  }
  const id =
    keyNames.length === 1
      ? checkId(instance.get(String(keyNames[0])), model)
      : checkId(
          keyNames.map((name) => instance.get(String(name))),
          model,
        );
  return new InstanceTarget(model, id, instance);
}

function fromRef(ref: TargetRef): ResolvedTarget {
  return new AttributeBag(checkModelName(ref.model, ref), checkId(ref.id, ref.model), ref);
}

function checkModelName(model: unknown, target: unknown): string {
  if (typeof model !== 'string' || model.length === 0) {
    throw new CacheSweeperError('targets', `target ${describeValue(target)} has no model name`);
  }
  return model;
}

function checkId(id: unknown, model: string): KeyPart | readonly KeyPart[] {
  if (Array.isArray(id)) {
    if (id.length === 0) throw unsavedRow(id, model);
    for (const value of id) checkIdValue(value, id, model);
  } else {
    checkIdValue(id, id, model);
  }
  return id as KeyPart | readonly KeyPart[];
}

function checkIdValue(value: unknown, id: unknown, model: string): void {
  const type = typeof value;
  if (type === 'number' || type === 'string' || type === 'bigint') return;
  if (value === null || value === undefined) throw unsavedRow(id, model);
  if (value instanceof Date) return;
  throw new CacheSweeperError(
    'targets',
    `${model} primary key ${describeValue(id)} must be a string, number or bigint`,
  );
}

function unsavedRow(id: unknown, model: string): CacheSweeperError {
  return new CacheSweeperError(
    'targets',
    `${model} row has no primary key (id ${describeValue(id)}): an unsaved row cannot be a cache target; save it first`,
  );
}

/** Describes a resolved target for messages, e.g. `Article#7`, or `Category (whole model)`. */
export function describeTarget(
  target: Pick<ResolvedTarget, 'model' | 'id'> & { readonly wholeModel?: boolean },
): string {
  if (target.wholeModel) return `${target.model} (whole model)`;
  return `${target.model}#${Array.isArray(target.id) ? target.id.map(String).join(',') : String(target.id)}`;
}
