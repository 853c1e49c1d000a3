import type { KeyPart } from '@cachesweeper/core';
import type { AnyModel } from './sequelize-shapes';

/** A row's values by attribute name, as read from an instance or a raw query. */
export type Row = Readonly<Record<string, unknown>>;

const INTEGER_TYPES = new Set(['INTEGER', 'SMALLINT', 'TINYINT', 'MEDIUMINT']);
const DECIMAL_INTEGER = /^-?(0|[1-9]\d*)$/;

/**
 * A key value in the type a row loaded from the database carries, because cache keys
 * tell `5` and `"5"` apart: a foreign key set from a form (`"5"`) must name the same
 * row as the loaded target (`5`). node-postgres returns BIGINT as a string; SQLite
 * (and Sequelize's other integer types everywhere) return numbers.
 */
export function canonicalValue(model: AnyModel, attribute: string, value: unknown): unknown {
  const type = (model.getAttributes()[attribute]?.type as { key?: string } | undefined)?.key;
  if (type === undefined) return value;
  const bigintAsString = type === 'BIGINT' && model.sequelize?.getDialect() === 'postgres';
  if (bigintAsString) {
    return typeof value === 'number' || typeof value === 'bigint' ? String(value) : value;
  }
  if (INTEGER_TYPES.has(type) || type === 'BIGINT') {
    if (typeof value === 'string' && DECIMAL_INTEGER.test(value) && Number.isSafeInteger(Number(value))) {
      return Number(value);
    }
    if (typeof value === 'bigint' && Number.isSafeInteger(Number(value))) return Number(value);
  }
  return value;
}

/** The primary key of a row, canonical, or `undefined` when a part is missing: one value, or an array for a composite key. */
export function primaryKeyOf(model: AnyModel, row: Row): KeyPart | KeyPart[] | undefined {
  const values: KeyPart[] = [];
  for (const attribute of model.primaryKeyAttributes) {
    const value = row[attribute];
    if (value === null || value === undefined) return undefined;
    values.push(canonicalValue(model, attribute, value) as KeyPart);
  }
  return values.length === 1 ? values[0] : values;
}
