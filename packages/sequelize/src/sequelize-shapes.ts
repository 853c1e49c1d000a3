/**
 * The few Sequelize 6 internals the installer reads that its type declarations leave
 * out, as structural types (verified on 6.37).
 */
import type { Model, ModelStatic } from 'sequelize';

/** Any model class. */
export type AnyModel = ModelStatic<Model>;

/** A hook function as the installer registers it. */
export type Hook = (...args: never[]) => unknown;

/** The hook methods of a Sequelize instance, untyped by name. */
export interface HookHost {
  /** Where Sequelize keeps the instance's hooks, by type: functions or `{ name, fn }`. */
  readonly options: { readonly hooks?: Readonly<Record<string, readonly unknown[] | undefined>> };
  /** Adds a named hook (for beforeSave/afterSave: on create and update too). */
  addHook(type: string, name: string, fn: Hook): unknown;
  /** Removes the hooks of that type and name. */
  removeHook(type: string, name: string): unknown;
}

/** A transaction or savepoint: a savepoint's `parent` is the transaction it was opened in. */
export interface TransactionShape {
  /** The enclosing transaction of a savepoint; unset on an outermost transaction. */
  readonly parent?: TransactionShape | null;
  /** Set by Sequelize once the transaction (or savepoint) committed or rolled back. */
  readonly finished?: 'commit' | 'rollback';
  /** Runs `fn` after COMMIT; Sequelize awaits it inside `commit()`. */
  afterCommit(fn: () => void | Promise<void>): void;
}

/** A belongsTo association as Sequelize 6 builds it. */
export interface BelongsToShape {
  /** `BelongsTo`, `HasMany`, `HasOne` or `BelongsToMany`. */
  readonly associationType: string;
  /** The attribute on the source model holding the target's key. */
  readonly foreignKey: string;
  /** The attribute of the target model the foreign key refers to (its primary key unless `targetKey` was given). */
  readonly targetKey: string;
  /** The target model. */
  readonly target: AnyModel;
}

/** Model statics Sequelize 6 keeps but does not declare. */
export interface ModelInternals {
  /** Which attributes hold the timestamps, when the model has them. */
  readonly _timestampAttributes: { readonly updatedAt?: string; readonly deletedAt?: string };
  /** Unique constraints declared on attributes (`unique: true` or a named unique), by column. */
  readonly uniqueKeys?: Readonly<Record<string, { readonly fields: readonly string[] }>>;
  /** Indexes from the model options, unique ones included. */
  readonly _indexes?: readonly {
    readonly unique?: boolean;
    readonly where?: unknown;
    readonly fields?: readonly (string | { readonly name?: string; readonly attribute?: string })[];
  }[];
  /** Attribute definitions by column name. */
  readonly fieldRawAttributesMap?: Readonly<Record<string, { readonly fieldName: string }>>;
}

/** The model class of an instance, with its internals. */
export function modelOf(instance: Model): AnyModel & ModelInternals {
  return instance.constructor as AnyModel & ModelInternals;
}

/** The internals of a model class. */
export function internalsOf(model: AnyModel): ModelInternals {
  return model as unknown as ModelInternals;
}

/** Whether a value is a model instance; duck-typed, so that two copies of Sequelize (ESM and CommonJS) agree. */
export function isInstance(value: unknown): value is Model {
  if (value === null || typeof value !== 'object' || !('dataValues' in value)) return false;
  const candidate = value as Partial<Model>;
  return (
    typeof candidate.get === 'function' &&
    Array.isArray((candidate.constructor as { primaryKeyAttributes?: unknown }).primaryKeyAttributes)
  );
}

/** The dialect's SQL writer (`sequelize.getQueryInterface().queryGenerator`), which the type declarations leave `unknown`. */
export interface QueryGeneratorShape {
  /** Quotes a table name as `getTableName()` returns it, schema included. */
  quoteTable(
    table: string | { readonly tableName: string; readonly schema?: string; readonly delimiter?: string },
  ): string;
  /** Quotes a column name or alias, honouring the `quoteIdentifiers` option. */
  quoteIdentifier(identifier: string): string;
  /** A whole SELECT statement, as `findAll` builds it (field names in `where`, not attribute names). */
  selectQuery(
    table: unknown,
    options: { attributes: readonly (readonly [string, string])[]; where: unknown; lock?: boolean },
    model: AnyModel,
  ): string;
}

/** The query generator of the Sequelize instance a model belongs to. */
export function queryGeneratorOf(model: AnyModel): QueryGeneratorShape {
  return model.sequelize!.getQueryInterface().queryGenerator as QueryGeneratorShape;
}
