import type { BenchResults } from '../results';
import type { PageStateId } from '../scenarios/page-states';
import {
  floorAtTarget,
  floorMedian,
  fmtMs,
  measuredOf,
  medianOf,
  pageAt,
  pct,
  speedupOf,
  TARGET_N,
  times,
} from './figures';
import type { TargetCheck } from './target-check';

/** Every target of issue 8 that a number can settle, checked against this run (on SQLite, where they were set). */
export function checkIssue8Targets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const page = pageAt(results.pages, TARGET_N);
  if (page !== undefined) {
    const n = page.n;
    const faster = (id: PageStateId, bar: number, label: string) => {
      const ratio = speedupOf(page, 'sqlite', 'uncached', id);
      checks.push({
        target: `${label} ≥ ${bar}× faster than uncached (N = ${n})`,
        measured: `${times(ratio)} (${fmtMs(medianOf(page, 'sqlite', id))} vs ${fmtMs(medianOf(page, 'sqlite', 'uncached'))})`,
        met: ratio >= bar,
      });
    };
    faster('memcached.full', 60, 'full hit, memcached');
    faster('memory.full', 100, 'full hit, memory');
    faster('memcached.vote', 12, 'after one vote, memcached');
    faster('memory.vote', 12, 'after one vote, memory');
    for (const backend of ['memcached', 'memory'] as const) {
      const ratio = medianOf(page, 'sqlite', `${backend}.cold`) / medianOf(page, 'sqlite', 'uncached');
      checks.push({
        target: `cold, ${backend} ≤ 1.2× the uncached time (N = ${n})`,
        measured: `${ratio.toFixed(2)}× (${fmtMs(medianOf(page, 'sqlite', `${backend}.cold`))} vs ${fmtMs(medianOf(page, 'sqlite', 'uncached'))})`,
        met: ratio <= 1.2,
      });
    }
    const django = speedupOf(page, 'sqlite', 'django', 'memcached.full');
    checks.push({
      target: `full hit ≥ 10× faster than django-cache-sweeper's warm page, same memcached (N = ${n})`,
      measured: `${times(django)} (${fmtMs(medianOf(page, 'sqlite', 'memcached.full'))} vs ${fmtMs(medianOf(page, 'sqlite', 'django'))})`,
      met: django >= 10,
    });
  }
  const census = results.pages.flatMap((entry) =>
    entry.census.filter((row) => row.database === 'sqlite').map((row) => ({ ...row, n: entry.n })),
  );
  const rounds = (kind: 'full' | 'vote' | 'cold') =>
    census.filter((row) => row.id === `memory.${kind}` || row.id === `memcached.${kind}`);
  const spread = (values: number[]) =>
    Math.min(...values) === Math.max(...values) ? `${values[0]}` : `${Math.min(...values)}–${Math.max(...values)}`;
  const sizes = results.pages.map((entry) => entry.n).join(', ');
  const full = rounds('full');
  checks.push({
    target: `round trips, full hit ≤ 2 (every N: ${sizes})`,
    measured: spread(full.map((row) => row.reads + row.writeRounds)),
    met: full.every((row) => row.reads + row.writeRounds <= 2),
  });
  const vote = rounds('vote');
  checks.push({
    target: `round trips, after one vote ≤ 4 reads (every N)`,
    measured: `${spread(vote.map((row) => row.reads))} reads + ${spread(vote.map((row) => row.writeRounds))} background write round`,
    met: vote.every((row) => row.reads <= 4),
  });
  const cold = rounds('cold');
  checks.push({
    target: `round trips, cold ≤ 2 reads + 1 write round (every N)`,
    measured: `${spread(cold.map((row) => row.reads))} reads + ${spread(cold.map((row) => row.writeRounds))} write round`,
    met: cold.every((row) => row.reads <= 2 && row.writeRounds <= 1),
  });
  checks.push({
    target: 'every cached page byte-identical to the uncached page on the same data',
    measured: census.every((row) => row.identical) ? 'yes, every state and N' : 'NO',
    met: census.every((row) => row.identical),
  });
  const floor = floorAtTarget(results.floor);
  if (floor !== undefined) {
    const page = floorMedian(floor, 'sqlite', 'page');
    const bare = floorMedian(floor, 'sqlite', 'floor');
    checks.push({
      target: `full-hit memcached page ≤ 1.5× the floor (N = ${floor.n})`,
      measured: `${(page / bare).toFixed(2)}× (${fmtMs(page)} vs ${fmtMs(bare)})${floor.identical ? '' : '; the floor did not serve the same page'}`,
      met: page / bare <= 1.5 && floor.identical,
    });
  }
  for (const mode of ['in a transaction', 'autocommit']) {
    const without = measuredOf(results.saves.measured, `no installer, ${mode}`).summary.median;
    for (const [contender, how] of [
      ['installer, memory', "plain Vote.create, the blog's rules: Vote → comment"],
      [
        "installer, memory, outbox off, Vote → 'comment.article' too, comment passed as loaded",
        "django-cache-sweeper's rules, Vote → comment and comment.article, the comment passed as loaded",
      ],
    ] as const) {
      const withIt = measuredOf(results.saves.measured, `${contender}, ${mode}`).summary.median;
      const overhead = withIt / without - 1;
      checks.push({
        target: `vote save with the installer ≤ 5% slower than without, memory backend (${mode}; ${how})`,
        measured: `${pct(overhead)} (${fmtMs(withIt)} vs ${fmtMs(without)})`,
        met: overhead <= 0.05,
      });
    }
  }
  const inTransaction = results.saves.census.reduce((sum, row) => sum + row.callsInTransaction, 0);
  checks.push({
    target: 'no backend round trip inside the transaction',
    measured: `${inTransaction} backend calls while a transaction was open (${results.saves.censusSaves} saves per contender)`,
    met: inTransaction === 0,
  });
  return checks;
}
