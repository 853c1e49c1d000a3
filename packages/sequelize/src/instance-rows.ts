import type { Model } from 'sequelize';
import type { Row } from './plan-types';

/** The given attributes of an instance as they are now. */
export function currentRow(instance: Model, attributes: readonly string[]): Row {
  return Object.fromEntries(attributes.map((name) => [name, instance.get(name)]));
}

/**
 * The given attributes as they were loaded, before this save. In `afterCreate` and
 * `afterUpdate` Sequelize has not yet reset them: `previous(fk)` is the old parent.
 */
export function previousRow(instance: Model, attributes: readonly string[]): Row {
  return Object.fromEntries(attributes.map((name) => [name, instance.previous(name as never)]));
}

/** Whether the save changed the attribute, at millisecond precision (a token's precision). */
export function attributeChanged(instance: Model, attribute: string): boolean {
  const before: unknown = instance.previous(attribute as never);
  const after: unknown = instance.get(attribute);
  if (before instanceof Date && after instanceof Date) return before.getTime() !== after.getTime();
  return before !== after;
}
