import type { Transaction, WhereOptions } from 'sequelize';
import type { Row } from './ids';
import type { ModelPlan } from './validate-rules';

/**
 * Reads the primary and foreign keys of the rows `where` matches, inside the write's
 * transaction, without scopes and including soft-deleted rows (more rows than the
 * write touches only means more invalidations, never fewer).
 */
export async function selectRows(
  plan: ModelPlan,
  where: WhereOptions,
  transaction: Transaction | null | undefined,
): Promise<Row[]> {
  return (await plan.modelClass.unscoped().findAll({
    where,
    attributes: [...plan.rowAttributes],
    paranoid: false,
    raw: true,
    transaction: transaction ?? null,
  })) as unknown as Row[];
}
