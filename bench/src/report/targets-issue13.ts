import { DATABASE_LABELS, DATABASES } from '../databases';
import type { BenchResults } from '../results';
import { savePrefix } from '../scenarios/saves';
import { fmtMs, measuredOf, pct } from './figures';
import { outboxPairOverhead } from './save-http-sections';
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
    const tableOverhead = median('installer, memory') / median('installer, memory, outbox off') - 1;
    const pair = results.saves.outboxPairs.find((candidate) => candidate.database === database);
    if (pair === undefined) throw new Error(`[cachesweeper] [bench] no outbox pair measured on ${database}`);
    const [withOutbox, without] = pair.measured;
    const overhead = outboxPairOverhead(pair);
    return {
      target: `${DATABASE_LABELS[database]}: the outbox adds ≤ ${OUTBOX_OVERHEAD * 100}% to a vote save in a transaction (installer, memory backend)`,
      measured:
        `${pct(overhead)} paired, the two alone (${fmtMs(withOutbox.summary.median)} vs ${fmtMs(without.summary.median)} ` +
        `with the outbox off, ${withOutbox.times.length} rounds); ${pct(tableOverhead)} between their rows of section 5`,
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
