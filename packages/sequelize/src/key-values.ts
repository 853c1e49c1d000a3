import type { KeyPart } from '@cachesweeper/core';
import type { Row } from './plan-types';
import type { AnyModel } from './sequelize-shapes';

const INTEGER_TYPES = new Set(['INTEGER', 'SMALLINT', 'TINYINT', 'MEDIUMINT', 'BIGINT']);
const DECIMAL_INTEGER = /^[-+]?\d+$/;

/**
 * A key value as the database reads it. Core keys an integer alike as a number, a
 * bigint or its canonical decimal string; but the database also reads a form's `"05"`
 * or `"+5"` in an INTEGER column as row 5, and some drivers cannot bind a bigint. So an
 * integer attribute's decimal string or bigint becomes a number (or, beyond 2^53, its
 * canonical decimal string); any other value is returned as it is.
 */
export function canonicalValue(model: AnyModel, attribute: string, value: unknown): unknown {
  const decimal = typeof value === 'bigint' || (typeof value === 'string' && DECIMAL_INTEGER.test(value));
  if (!decimal) return value;
  const type = (model.getAttributes()[attribute]?.type as { key?: string } | undefined)?.key;
  if (type === undefined || !INTEGER_TYPES.has(type)) return value;
  const integer = BigInt(value as string | bigint);
  return Number.isSafeInteger(Number(integer)) ? Number(integer) : integer.toString();
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

/** A string telling key values apart as the database does once they are canonical (`5` and `"5"` alike). */
export function keyIdentity(value: unknown): string {
  if (value instanceof Date) return `d${value.getTime()}`;
  if (typeof value === 'number' && Number.isInteger(value)) return `i${value}`;
  if (typeof value === 'string' && /^-?(0|[1-9]\d*)$/.test(value)) return `i${value}`;
  return `${typeof value}:${String(value)}`;
}
