import type { Sequelize, Transaction } from 'sequelize';

/**
 * The transaction a write runs in, as Sequelize picks it: the one its options name
 * (`null`: none, even inside a CLS transaction), else the CLS transaction of
 * `Sequelize.useCLS(namespace)`, if any.
 */
export function writeTransaction(
  sequelize: Sequelize,
  named: Transaction | null | undefined,
): Transaction | null | undefined {
  if (named !== undefined) return named;
  const cls = (sequelize.constructor as { _cls?: { get(key: string): unknown } })._cls;
  return cls?.get('transaction') as Transaction | undefined;
}
