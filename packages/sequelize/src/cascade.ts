import type { Transaction } from 'sequelize';
import { canonicalValue, primaryKeyOf, type Row } from './ids';
import type { PathNode } from './paths';
import type { ModelPlan } from './validate-rules';
import type { Work } from './work';

/**
 * Adds the rows a rule's paths reach from `rows` (the written rows, before and after
 * the write) to `work`. A one-step path to a primary key needs no query; longer paths
 * read the rows in between, one query per step, inside the write's transaction, with
 * scopes and paranoid filtering off (a hidden parent's page is still a page).
 */
export async function addCascade(
  plan: ModelPlan,
  rows: readonly Row[],
  transaction: Transaction | null | undefined,
  work: Work,
): Promise<void> {
  for (const node of plan.tree) await visit(node, rows, transaction, work);
}

async function visit(
  node: PathNode,
  sources: readonly Row[],
  transaction: Transaction | null | undefined,
  work: Work,
): Promise<void> {
  const keys = distinct(sources.map((row) => row[node.foreignKey]));
  if (keys.length === 0) return;
  const { target } = node;
  if (node.direct) {
    for (const key of keys) work.addRow(target.name, canonicalValue(target, node.targetKey, key) as string | number);
    return;
  }
  const rows = (await target.unscoped().findAll({
    where: { [node.targetKey]: keys },
    attributes: [...node.rowAttributes],
    paranoid: false,
    raw: true,
    transaction: transaction ?? null,
  })) as unknown as Row[];
  if (node.invalidates) {
    for (const row of rows) {
      const id = primaryKeyOf(target, row);
      if (id !== undefined) work.addRow(target.name, id);
    }
  }
  for (const child of node.children) await visit(child, rows, transaction, work);
}

function distinct(values: readonly unknown[]): unknown[] {
  const seen = new Map<string, unknown>();
  for (const value of values) {
    if (value === null || value === undefined) continue;
    const key = value instanceof Date ? `d${value.getTime()}` : `${typeof value}:${String(value)}`;
    if (!seen.has(key)) seen.set(key, value);
  }
  return [...seen.values()];
}
