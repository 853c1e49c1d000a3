import type { Model, Transaction } from 'sequelize';
import type { Invalidations } from './invalidations';
import { canonicalValue, keyIdentity, primaryKeyOf } from './key-values';
import { LoadedRows, loadedRow } from './loaded-rows';
import { type ModelPlan, type PathNode, type Row, withinOf } from './plan-types';
import { selectByKeys } from './select-rows';

/** Where a write's path steps find rows besides the database. */
interface PathInput {
  /** The write's transaction: path queries run inside it. */
  readonly transaction: Transaction | null | undefined;
  /** Rows the app passed as already loaded. */
  readonly loaded: readonly Model[];
  /** The written instances, whose loaded associations count as loaded rows. */
  readonly instances: readonly Model[];
}

/**
 * Adds the rows a rule's paths reach from `rows` (the written rows, before and after
 * the write) to `invalidations`. A one-step path to a primary key needs no query. Longer paths
 * need the rows in between: taken from loaded rows whose key matches the foreign key
 * (see LoadedRows), else read with one query per step, inside the write's transaction,
 * including soft-deleted rows (a hidden parent's page is still a page).
 */
export async function followPaths(
  plan: ModelPlan,
  rows: readonly Row[],
  input: PathInput,
  invalidations: Invalidations,
): Promise<void> {
  const loaded = new LoadedRows(input.loaded);
  for (const instance of input.instances) loaded.addAssociations(instance, plan.tree);
  for (const node of plan.tree) await visit(node, rows, input.transaction, loaded, invalidations);
}

async function visit(
  node: PathNode,
  sources: readonly Row[],
  transaction: Transaction | null | undefined,
  loaded: LoadedRows,
  invalidations: Invalidations,
): Promise<void> {
  const { target } = node;
  const keys = new Map<string, unknown>();
  for (const source of sources) {
    const value = source[node.foreignKey];
    if (value === null || value === undefined) continue;
    const key = canonicalValue(target, node.targetKey, value);
    keys.set(keyIdentity(key), key);
  }
  if (keys.size === 0) return;
  if (node.direct) {
    for (const key of keys.values()) invalidations.addRow(target.name, key as string | number);
    return;
  }
  const found: Row[] = [];
  const missing: unknown[] = [];
  for (const key of keys.values()) {
    const instance = loaded.find(node, key);
    if (instance === undefined) {
      missing.push(key);
    } else {
      found.push(loadedRow(node, instance));
      loaded.addAssociations(instance, node.children);
    }
  }
  const read = missing.length === 0 ? [] : await selectByKeys(target, node.select, missing, transaction);
  const rows = [...found, ...read];
  if (node.invalidates) {
    for (const row of rows) {
      const id = primaryKeyOf(target, row);
      if (id !== undefined) invalidations.addRow(target.name, id, withinOf(row, node.within));
    }
  }
  for (const child of node.children) await visit(child, rows, transaction, loaded, invalidations);
}
