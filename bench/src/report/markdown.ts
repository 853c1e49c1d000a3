import type { BenchResults } from '../results';
import type { PageStateId } from '../scenarios/page-states';
import { breakEvenSection } from './break-even-section';
import { censusOf, medianOf, speedupOf, TARGET_N, times } from './figures';
import { keyCopiesSection } from './key-copies-section';
import { floorSection, pageStatesSection, roundTripsSection, scalingSection } from './page-sections';
import { httpSection, savesSection } from './save-http-sections';
import { table } from './table';
import { checkTargets } from './targets';

/** RESULTS.md: the machine, every table, the targets met or not, the break-even line. */
export function renderMarkdown(results: BenchResults): string {
  return [
    header(results),
    targets(results),
    anchors(results),
    pageStatesSection(results),
    scalingSection(results),
    roundTripsSection(results),
    floorSection(results),
    savesSection(results),
    httpSection(results),
    breakEvenSection(results),
    keyCopiesSection(results),
  ].join('\n\n');
}

/** Which of the blog's rules the run measured, when the results say. */
function rulesLine(within: boolean | undefined): string {
  if (within === undefined) return '';
  return within
    ? ' The blog ran its default rules: comments within their article (`WITHIN=on`).'
    : ' The blog ran with `WITHIN=off` (`BENCH_WITHIN=off pnpm bench`): its page records every comment counter.';
}

function header(results: BenchResults): string {
  const { machine } = results;
  const packages = Object.entries(machine.packages)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return `# cachesweeper benchmarks

Written by \`pnpm bench\` (${results.scale} scale) on ${machine.date.slice(0, 10)}; the run took ${Math.round(results.durationSeconds)} s.${rulesLine(results.within)}

| machine | |
|---|---|
| CPU | ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB |
| Node | ${machine.node} |
| memcached | ${machine.memcached} (loopback, started by the bench, 2 threads) |
| Redis | ${machine.redis} (loopback, started by the bench, no persistence) |
| SQLite | ${machine.sqlite} (a file per contender, OS page cache warm) |
| PostgreSQL | ${machine.postgres} over TCP on loopback, a schema per contender (page states, floor and saves) |
| packages | ${packages} |
| load average (1 min) | ${machine.loadAtStart.toFixed(2)} at start, ${results.loadAtEnd.toFixed(2)} at end |
| code measured | ${results.runtime} |

**How to read these tables.** Every table's rows ran side by side in one process, interleaved (A, B, C,
then B, C, A, …), after warm-up rounds that are thrown away; times are medians and 90th percentiles in
ms, measured with \`process.hrtime.bigint()\` from the start of the page's work (its SQL included) to
the rendered page. Setup (a vote, a bump) and the background write of missed fragments are not timed:
the response does not wait for them. "× vs naive" is the naive uncached page's median over the row's
median, "× vs batched" the batched uncached page's (same database); the paired figure in brackets is the
median of per-round ratios. The machine is shared: absolute times move with its
load, ratios of interleaved rows much less.`;
}

function targets(results: BenchResults): string {
  return checkTargets(results)
    .map((section) => {
      const rows = section.checks.map((check) => [check.target, check.measured, check.met ? '**met**' : '**not met**']);
      const met = section.checks.filter((check) => check.met).length;
      return `## ${section.title}\n\n${met} of ${section.checks.length} met in this run.\n\n${table(['target', 'measured', 'result'], rows)}`;
    })
    .join('\n\n');
}

function anchors(results: BenchResults): string {
  const page = results.pages.find((entry) => entry.n === TARGET_N);
  const db = 'sqlite';
  if (page === undefined) return '## Against the anchors\n\n(no N = 100 in this run)';
  const trips = (id: PageStateId) => {
    const row = censusOf(page, db, id);
    return row === undefined
      ? ''
      : `${row.reads} ${row.reads === 1 ? 'round trip' : 'round trips'}, ${row.queries} ${row.queries === 1 ? 'query' : 'queries'}`;
  };
  const coldRatio = medianOf(page, db, 'memcached.cold') / medianOf(page, db, 'uncached');
  const coldBatched = medianOf(page, db, 'memcached.cold') / medianOf(page, db, 'uncached-batched');
  const rows = [
    [
      'Rails 6.1 Russian doll, full hit',
      '52× faster, 1 round trip, 1 query',
      `full hit, memcached: ${times(speedupOf(page, db, 'uncached', 'memcached.full'))} faster, ${trips('memcached.full')}`,
    ],
    [
      'Rails 6.1 collection caching (outer missed, comments hit)',
      '9.2× faster, one multi-get',
      `after one vote (outer + 1 comment missed), memcached: ${times(speedupOf(page, db, 'uncached', 'memcached.vote'))} faster, ${trips('memcached.vote')}`,
    ],
    [
      'Rails 6.1 cold (every block missed)',
      '1.32× the uncached time (a `set` per miss)',
      `cold, memcached: ${coldRatio.toFixed(2)}× the uncached time (${coldBatched.toFixed(2)}× the batched uncached page), misses written in 1 background round`,
    ],
    [
      'django-cache-sweeper, warm',
      '4.4× faster, 2 round trips per block',
      `its algorithm measured here: ${times(speedupOf(page, db, 'uncached', 'django'))} faster, ${trips('django')}; our full hit is ${times(speedupOf(page, db, 'django', 'memcached.full'))} faster than it`,
    ],
    [
      'django-cache-sweeper, cold after a bump',
      '1.8× the uncached time',
      `cold, memcached: ${coldRatio.toFixed(2)}× the uncached time`,
    ],
  ];
  return `## Against the anchors (N = ${TARGET_N}, SQLite, same memcached)

The anchors were measured on this kind of machine (DESIGN.md); the right column was measured in this run.

${table(['system, state', 'anchor', 'cachesweeper, this run'], rows)}`;
}
