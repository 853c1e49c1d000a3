import { DATABASE_LABELS, DATABASES } from '../databases';
import type { BenchResults } from '../results';
import { savePrefix } from '../scenarios/saves';
import { fmtMs, measuredOf, pct } from './figures';
import type { TargetCheck } from './target-check';

/** Issue 13's bar for the outbox's cost on a single-row save in a transaction. */
const OUTBOX_OVERHEAD = 0.15;

/**
 * The targets of issue 13 that the bench settles: what the transactional outbox adds to
 * a single-row save in a transaction, on each database, and no cache round trip inside
 * a transaction.
 */
export function checkIssue13Targets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = DATABASES.map((database) => {
    const median = (label: string) =>
      measuredOf(results.saves.measured, `${savePrefix(database)}${label}, in a transaction`).summary.median;
    const withOutbox = median('installer, memory');
    const without = median('installer, memory, outbox off');
    const overhead = withOutbox / without - 1;
    return {
      target: `${DATABASE_LABELS[database]}: the outbox adds ≤ ${OUTBOX_OVERHEAD * 100}% to a vote save in a transaction (installer, memory backend)`,
      measured: `${pct(overhead)} (${fmtMs(withOutbox)} vs ${fmtMs(without)} with the outbox off)`,
      met: overhead <= OUTBOX_OVERHEAD,
    };
  });
  const inTransaction = results.saves.census.reduce((sum, row) => sum + row.callsInTransaction, 0);
  checks.push({
    target: '0 cache round trips inside the transaction (every save, both databases, outbox on and off)',
    measured: `${inTransaction} backend calls while a transaction was open`,
    met: inTransaction === 0,
  });
  return checks;
}
