import { Op, type WhereOptions } from 'sequelize';
import type { AnyModel } from './sequelize-shapes';

/**
 * Whether a bulk write's `where` pins every primary key attribute to listed values
 * (`{ id: 7 }`, `{ id: [1, 2] }`, `{ id: { [Op.in]: [...] } }`, `{ [Op.eq]: 7 }`), at the
 * top level or inside `Op.and` (where Sequelize puts its paranoid clause). Then the
 * rows the write can touch are few and known, and can be read before it.
 */
export function pinsPrimaryKey(model: AnyModel, where: WhereOptions | undefined): boolean {
  const attributes = model.getAttributes();
  return model.primaryKeyAttributes.every((name) => {
    const field = (attributes[name] as { field?: string } | undefined)?.field ?? name;
    return pins(where, name, field);
  });
}

function pins(where: unknown, attribute: string, field: string): boolean {
  if (!isPlainObject(where)) return false;
  for (const key of new Set([attribute, field])) {
    if (Object.hasOwn(where, key) && listsValues(where[key])) return true;
  }
  const and = (where as Record<symbol, unknown>)[Op.and];
  if (Array.isArray(and)) return and.some((clause) => pins(clause, attribute, field));
  return and !== undefined && pins(and, attribute, field);
}

function listsValues(condition: unknown): boolean {
  if (isKeyValue(condition)) return true;
  if (Array.isArray(condition)) return condition.every(isKeyValue);
  if (!isPlainObject(condition) || Object.keys(condition).length > 0) return false;
  const operators = Object.getOwnPropertySymbols(condition);
  return (
    operators.length > 0 &&
    operators.every((operator) => {
      const value = (condition as Record<symbol, unknown>)[operator];
      if (operator === Op.eq) return isKeyValue(value);
      if (operator === Op.in) return Array.isArray(value) && value.every(isKeyValue);
      return false;
    })
  );
}

function isKeyValue(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || value === null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
