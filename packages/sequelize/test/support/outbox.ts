import type { Sweeper, TargetRef } from '@cachesweeper/core';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { SweeperInstallation } from '../../src';

/** An outbox row as stored. */
export interface OutboxRow {
  readonly id: string;
  readonly namespace: string;
  readonly version_keys: string;
  readonly attempts: number;
}

/** The outbox rows an installation's table holds, read in `transaction` (default: on their own). */
export function outboxRows(
  installation: SweeperInstallation,
  sequelize: Sequelize,
  transaction: Transaction | null = null,
): Promise<OutboxRow[]> {
  const table = installation.outbox?.table;
  if (table === undefined) throw new Error('this installation has no outbox');
  return sequelize.query<OutboxRow>(`SELECT id, namespace, version_keys, attempts FROM ${table} ORDER BY created_at`, {
    type: QueryTypes.SELECT,
    transaction,
  });
}

/** The version keys an outbox row holds (without their covers). */
export function keysOf(row: OutboxRow): string[] {
  return row.version_keys.split('\n').map((line) => line.split(' ')[0] as string);
}

/** The counter key of a row, as the sweeper names it. */
export function counterKey(sweeper: Sweeper, ref: TargetRef): string {
  return sweeper.invalidationKeys([ref])[0] as string;
}

/** Reads a row's counter, creating it first (a bump leaves a missing counter missing). */
export async function readCounter(sweeper: Sweeper, ref: TargetRef): Promise<string | undefined> {
  await sweeper.fragment(ref, 0, ['probe'], () => 'probe');
  await sweeper.idle();
  return sweeper.backend.get(counterKey(sweeper, ref));
}

/** Resolves with the ms `check` took to hold, polled every 10 ms; rejects after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
