import { QueryTypes, type Transaction, Utils, type WhereOptions } from 'sequelize';
import type { Row } from './plan-types';
import { type AnyModel, queryGeneratorOf } from './sequelize-shapes';

/**
 * Reads the installer's own rows with a raw SELECT: no scopes, soft-deleted rows
 * included (more rows than the write touches only means more invalidations, never
 * fewer), and none of the app's find hooks (`beforeFind`/`afterFind` are the app's
 * business: they may log, decorate or be slow). Columns are aliased back to attribute
 * names, so a row reads the same whatever `field` an attribute has.
 *
 * `beforeWrite`: the rows are the ones a write of this transaction is about to replace.
 * On dialects with row locks (PostgreSQL: `FOR UPDATE`) they are then locked, a moment
 * before the write would lock them anyway, so no other transaction can change them
 * between this read and the write: what is read is what the write replaces. SQLite
 * has no row locks and needs none (a transaction that read cannot write over another
 * one's committed write).
 */
export async function selectRows(
  model: AnyModel,
  attributes: readonly string[],
  where: WhereOptions,
  transaction: Transaction | null | undefined,
  beforeWrite = false,
): Promise<Row[]> {
  const sql = queryGeneratorOf(model).selectQuery(
    model.getTableName(),
    {
      attributes: attributes.map((name) => [fieldOf(model, name), name] as const),
      where: mapWhere(where, model),
      lock: beforeWrite && transaction !== null && transaction !== undefined,
    },
    model,
  );
  return query(model, sql, undefined, transaction);
}

/**
 * The SELECT of `attributes` from the rows whose `keyAttribute` is one of `:keys`, for
 * `selectByKeys`: built once per path step, with the dialect's quoting (a PostgreSQL
 * schema included).
 */
export function selectByKeysSql(model: AnyModel, attributes: readonly string[], keyAttribute: string): string {
  const generator = queryGeneratorOf(model);
  const quote = (name: string) => generator.quoteIdentifier(name);
  const columns = attributes.map((name) => `${quote(fieldOf(model, name))} AS ${quote(name)}`).join(', ');
  const table = generator.quoteTable(model.getTableName());
  return `SELECT ${columns} FROM ${table} WHERE ${quote(fieldOf(model, keyAttribute))} IN (:keys)`;
}

/** Runs a `selectByKeysSql` statement for `keys` (never empty) inside the write's transaction. */
export function selectByKeys(
  model: AnyModel,
  sql: string,
  keys: readonly unknown[],
  transaction: Transaction | null | undefined,
): Promise<Row[]> {
  return query(model, sql, { keys: [...keys] }, transaction);
}

async function query(
  model: AnyModel,
  sql: string,
  replacements: Record<string, unknown> | undefined,
  transaction: Transaction | null | undefined,
): Promise<Row[]> {
  // A write that named `transaction: null` inside a CLS transaction ran outside it; so do its reads.
  return (await model.sequelize!.query(sql, {
    ...(replacements === undefined ? {} : { replacements }),
    type: QueryTypes.SELECT,
    transaction: transaction ?? null,
  })) as Row[];
}

/** The column an attribute is stored in. */
function fieldOf(model: AnyModel, attribute: string): string {
  return model.getAttributes()[attribute]?.field ?? attribute;
}

/** `where` with attribute names turned into column names, as `findAll` does before it builds SQL. */
function mapWhere(where: WhereOptions, model: AnyModel): unknown {
  return Utils.mapWhereFieldNames(where as object, model);
}
