import { Op, type WhereOptions } from 'sequelize';
import { type AnyModel, internalsOf } from './sequelize-shapes';

/**
 * A `where` matching the row an upsert writes, built from its values: the primary key,
 * the conflict fields, and every unique key whose attributes all have values. The
 * database picks one of them to detect the conflict; matching any of them reads that
 * row (and perhaps others, which only costs extra invalidations). `undefined` when the
 * values name no key at all.
 */
export function upsertTargetWhere(
  model: AnyModel,
  values: Readonly<Record<string, unknown>>,
  conflictFields: readonly string[] | undefined,
): WhereOptions | undefined {
  const clauses: Record<string, unknown>[] = [];
  for (const attributes of candidateKeys(model, conflictFields)) {
    if (attributes.length === 0 || attributes.some((name) => values[name] === null || values[name] === undefined)) {
      continue;
    }
    clauses.push(Object.fromEntries(attributes.map((name) => [name, values[name]])));
  }
  return clauses.length === 0 ? undefined : { [Op.or]: clauses };
}

function candidateKeys(model: AnyModel, conflictFields: readonly string[] | undefined): (readonly string[])[] {
  const internals = internalsOf(model);
  const byField = internals.fieldRawAttributesMap ?? {};
  const attributeOf = (name: string) => byField[name]?.fieldName ?? name;
  const keys: (readonly string[])[] = [model.primaryKeyAttributes];
  if (conflictFields) keys.push(conflictFields.map(attributeOf));
  for (const unique of Object.values(internals.uniqueKeys ?? {})) keys.push(unique.fields.map(attributeOf));
  for (const index of internals._indexes ?? []) {
    if (!index.unique || index.where !== undefined || !index.fields) continue;
    keys.push(
      index.fields.map((field) =>
        attributeOf(typeof field === 'string' ? field : (field.attribute ?? field.name ?? '')),
      ),
    );
  }
  return keys;
}
