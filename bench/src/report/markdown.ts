import type { BenchResults } from '../results';
import type { BreakEvenLine, BreakEvenPoint } from '../scenarios/break-even';
import { PAGE_STATES } from '../scenarios/page-states';
import { table } from './table';
import { checkTargets, fmtMs, measuredOf, medianOf, pairedSpeedupOf, pct, speedupOf, TARGET_N } from './targets';

const x = (value: number) =>
  Number.isFinite(value) ? `${value.toFixed(value >= 100 ? 0 : value >= 1 ? 1 : 2)}×` : '–';
const us = (value: number | undefined) =>
  value === undefined ? 'not within the range' : `${value.toFixed(value >= 100 ? 0 : 1)} µs`;

/** RESULTS.md: the machine, every table, the targets met or not, the break-even line. */
export function renderMarkdown(results: BenchResults): string {
  return [
    header(results),
    targets(results),
    anchors(results),
    pageStates(results),
    roundTrips(results),
    floor(results),
    saves(results),
    http(results),
    breakEven(results),
  ].join('\n\n');
}

function header(results: BenchResults): string {
  const { machine } = results;
  const packages = Object.entries(machine.packages)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return `# cachesweeper benchmarks

Written by \`pnpm bench\` (${results.scale} scale) on ${machine.date.slice(0, 10)}; the run took ${Math.round(results.durationSeconds)} s.

| machine | |
|---|---|
| CPU | ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB |
| Node | ${machine.node} |
| memcached | ${machine.memcached} (loopback, started by the bench, 2 threads) |
| SQLite | ${machine.sqlite} (a file per contender, OS page cache warm) |
| packages | ${packages} |
| load average (1 min) | ${machine.loadAtStart.toFixed(2)} at start, ${results.loadAtEnd.toFixed(2)} at end |
| code measured | ${results.runtime} |

**How to read these tables.** Every table's rows ran side by side in one process, interleaved (A, B, C,
then B, C, A, …), after warm-up rounds that are thrown away; times are medians and 90th percentiles in
ms, measured with \`process.hrtime.bigint()\` from the start of the page's work (its SQL included) to
the rendered page. Setup (a vote, a bump) and the background write of missed fragments are not timed:
the response does not wait for them. "× vs uncached" is the uncached median over the row's median; the
paired figure is the median of per-round ratios. The machine is shared: absolute times move with its
load, ratios of interleaved rows much less.`;
}

function targets(results: BenchResults): string {
  const rows = checkTargets(results).map((check) => [
    check.target,
    check.measured,
    check.met ? '**met**' : '**not met**',
  ]);
  return `## Targets of issue 8\n\n${table(['target', 'measured', 'result'], rows)}`;
}

function anchors(results: BenchResults): string {
  const page = results.pages.find((entry) => entry.n === TARGET_N);
  if (page === undefined) return '## Against the anchors\n\n(no N = 100 in this run)';
  const census = (id: string) => page.census.find((row) => row.id === id);
  const trips = (id: string) => {
    const row = census(id);
    return row === undefined
      ? ''
      : `${row.reads} ${row.reads === 1 ? 'round trip' : 'round trips'}, ${row.queries} ${row.queries === 1 ? 'query' : 'queries'}`;
  };
  const coldRatio = medianOf(page, 'memcached.cold') / medianOf(page, 'uncached');
  const coldBatched = medianOf(page, 'memcached.cold') / medianOf(page, 'uncached-batched');
  const rows = [
    [
      'Rails 6.1 Russian doll, full hit',
      '52× faster, 1 round trip, 1 query',
      `full hit, memcached: ${x(speedupOf(page, 'uncached', 'memcached.full'))} faster, ${trips('memcached.full')}`,
    ],
    [
      'Rails 6.1 collection caching (outer missed, comments hit)',
      '9.2× faster, one multi-get',
      `after one vote (outer + 1 comment missed), memcached: ${x(speedupOf(page, 'uncached', 'memcached.vote'))} faster, ${trips('memcached.vote')}`,
    ],
    [
      'Rails 6.1 cold (every block missed)',
      '1.32× the uncached time (a `set` per miss)',
      `cold, memcached: ${coldRatio.toFixed(2)}× the uncached time (${coldBatched.toFixed(2)}× the batched uncached page), misses written in 1 background round`,
    ],
    [
      'django-cache-sweeper, warm',
      '4.4× faster, 2 round trips per block',
      `its algorithm measured here: ${x(speedupOf(page, 'uncached', 'django'))} faster, ${trips('django')}; our full hit is ${x(speedupOf(page, 'django', 'memcached.full'))} faster than it`,
    ],
    [
      'django-cache-sweeper, cold after a bump',
      '1.8× the uncached time',
      `cold, memcached: ${coldRatio.toFixed(2)}× the uncached time`,
    ],
  ];
  return `## Against the anchors (N = ${TARGET_N}, same memcached)

The anchors were measured on this kind of machine (DESIGN.md); the right column was measured in this run.

${table(['system, state', 'anchor', 'cachesweeper, this run'], rows)}`;
}

function pageStates(results: BenchResults): string {
  const sections = results.pages.map((page) => {
    const rows = PAGE_STATES.map((state) => {
      const measured = measuredOf(page.measured, state.id);
      const census = page.census.find((row) => row.id === state.id);
      const speedup =
        state.id === 'uncached'
          ? '1×'
          : `${x(speedupOf(page, 'uncached', state.id))} (${x(pairedSpeedupOf(page, 'uncached', state.id))})`;
      return [
        state.label,
        fmtMs(measured.summary.median),
        fmtMs(measured.summary.p90),
        speedup,
        state.id === 'uncached-batched' ? '1×' : x(speedupOf(page, 'uncached-batched', state.id)),
        String(census?.queries ?? ''),
        census === undefined ? '' : `${census.reads} + ${census.writeRounds}`,
        census === undefined ? '' : `${census.hits} / ${census.misses}`,
        census?.identical ? 'yes' : 'NO',
      ];
    });
    const samples = page.measured[0]?.summary.samples ?? 0;
    return `### N = ${page.n} comments (${samples} interleaved rounds; cache failures during the run: ${page.cacheErrors})

${table(['page', 'median', 'p90', '× vs uncached (paired)', '× vs batched', 'queries', 'reads + background writes', 'hits / misses', 'same HTML as uncached'], rows)}`;
  });
  return `## 1. The article page in four states

The blog's article page (\`views/articles/show.hbs\` in its layout, the blog's models, rules, installer and
miss-only loaders) with N comments. *uncached*: the same templates with \`{{#cachesweeper}}\` rendering in
place and the queries a user without a cache writes (the article, the comment list, a likes count and a
dislikes count per comment). *uncached, batched*: the blog's own 4-query loads without a cache, to
separate what batching saves from what the cache saves. *full hit*: the outer article block hits.
*after one vote*: a real \`Vote.create\` (the installer invalidates the comment and the article) before
the timed render. *cold*: every row's counter bumped before the timed render. *django-cache-sweeper*:
its algorithm reimplemented (per comment block: get the version key, then the fragment, sequentially)
through the plain npm \`memcached\` client on the same server, warm; the article around the comment
blocks is rendered per request, as its README's example caches only comments. Every page includes the
article query (the page key holds the article's \`updatedAt\`). "reads + background writes" are cache
round trips before the response and after it; "same HTML" compares the page body with the uncached page
on the same database after the state's setup (so a stale fragment would show).

Most of the distance to the naive page is its 2N + 2 queries: read the "× vs batched" column too. Against
an uncached page that batches its queries, the full hit still wins at every N; the states that miss
pay the cache's work on top of the same queries and can be slower than it, on memcached above all.

${sections.join('\n\n')}`;
}

function roundTrips(results: BenchResults): string {
  const ids = [
    'memory.full',
    'memory.vote',
    'memory.cold',
    'memcached.full',
    'memcached.vote',
    'memcached.cold',
    'django',
  ] as const;
  const rows = ids.map((id) => {
    const label = PAGE_STATES.find((state) => state.id === id)?.label ?? id;
    return [
      label,
      ...results.pages.map((page) => {
        const row = page.census.find((entry) => entry.id === id);
        return row === undefined ? '' : `${row.reads} + ${row.writeRounds}`;
      }),
    ];
  });
  return `## 2. Cache round trips per page against N

Reads before the response + write rounds after it, from the per-page stats \`renderCached\` fills. The
page nests two levels (the article block around the comment blocks). The sweeper remembers, per process,
the key each fragment last had and the blocks it nested (\`prefetchHints\`): the token round also reads the
page fragment under its last key (a full hit when the token has not changed) and the comment blocks'
tokens, and when the page fragment missed, the fragment round reads the comment fragments with it, so
the comment level needs no round of its own, whatever N.

${table(['page', ...results.pages.map((page) => `N = ${page.n}`)], rows)}`;
}

function floor(results: BenchResults): string {
  const rows = results.floor.map((entry) => {
    const m = (name: string) => measuredOf(entry.measured, name).summary.median;
    return [
      String(entry.n),
      `${(entry.fragmentBytes / 1024).toFixed(1)} KiB`,
      fmtMs(m('page')),
      fmtMs(m('floor')),
      `${(m('page') / m('floor')).toFixed(2)}×`,
      fmtMs(m('page-render')),
      fmtMs(m('floor-render')),
      `${(m('page-render') / m('floor-render')).toFixed(2)}×`,
      entry.identical ? 'yes' : 'NO',
    ];
  });
  return `## 3. The floor: a full-hit memcached page against a bare socket

*floor*: the same article query, the same key rounds (${results.floor[0]?.keysPerRound.join(' keys, then ') ?? ''} keys, recorded
from the real page) as \`get k1 k2 …\` over one bare \`net.Socket\`, and the page assembled with a
template literal: no key building, no tokens, no check of the counters nested in the page (the floor
skips the stored header and trusts the value), no template engine, no deadlines.
*render*: the same without the article query (the cache's own share).

${table(['N', 'fragment', 'page', 'floor', 'page / floor', 'page render', 'floor render', 'render / floor', 'same HTML'], rows)}`;
}

function saves(results: BenchResults): string {
  const { saves: result } = results;
  const rows = result.measured.map((measured) => {
    const mode = measured.name.endsWith('autocommit') ? 'autocommit' : 'in a transaction';
    const baseline = measuredOf(result.measured, `no installer, ${mode}`).summary.median;
    const census = result.census.find((row) => row.name === measured.name);
    return [
      measured.name,
      fmtMs(measured.summary.median),
      fmtMs(measured.summary.p90),
      measured.name.startsWith('no installer') ? '' : pct(measured.summary.median / baseline - 1),
      String(census?.queries ?? ''),
      String(census?.callsInTransaction ?? ''),
      String(census?.callsAfterCommit ?? ''),
    ];
  });
  return `## 4. Saves: a vote with and without the installer

\`Vote.create\` on a SQLite file (each contender its own, journal synced to disk as SQLite does by
default), inside \`sequelize.transaction()\` and as the blog's route does it (autocommit). With the blog's
rules the installer invalidates the vote and its comment (no query: the vote holds \`commentId\`); the
article page, which nests the comment's fragment, is checked against the comment's counter when read.
With django-cache-sweeper's rules the vote also names \`comment.article\`, which costs one SELECT unless
the route passes the comment it loaded (\`cachesweeper: { loaded: [comment] }\`). Backend calls are counted
in an untimed census pass, split by whether a transaction was open (BEGIN sent, COMMIT not yet finished).

${table(['save', 'median', 'p90', 'overhead', 'queries per save', 'calls inside the transaction', 'calls after commit, per save'], rows)}`;
}

function http(results: BenchResults): string {
  const { http: result } = results;
  const uncached = result.figures.find((figure) => figure.name === 'uncached');
  const rows = result.figures.map((figure) => [
    figure.name === 'uncached' ? 'uncached (2 queries per comment)' : `cached, ${figure.name}`,
    figure.rps.median.toFixed(figure.rps.median >= 100 ? 0 : 1),
    uncached === undefined || figure.name === 'uncached' ? '' : x(figure.rps.median / uncached.rps.median),
    `${median(figure.p50).toFixed(0)} ms`,
    `${figure.latencyP99.median.toFixed(0)} ms`,
    String(figure.failures),
  ]);
  return `## 5. HTTP: the blog under load

\`GET /articles/:id\` with N = ${result.n} comments, ${result.connections} connections, autocannon's programmatic
API in the bench process, the apps in one server process with \`NODE_ENV=production\` (Express view cache
${result.viewCache ? 'on' : 'OFF'}): the real blog (express-handlebars with \`cachesweeperEngine\`) on each
backend, and the same views without a cache. ${result.runs} runs of ${result.seconds} s per app, interleaved;
figures are medians over runs. Cache failures in the server: ${result.cacheErrors}.

${table(['app', 'req/s', '× vs uncached', 'p50', 'p99', 'non-2xx + errors'], rows)}`;
}

/** The first size, past the break-even, at which the warm page is slower than the uncached one again. */
function slowerAgainAt(points: readonly BreakEvenPoint[], line: BreakEvenLine): number | undefined {
  const shape = points.filter((point) => point.fragments === line.fragments);
  const time = (point: BreakEvenPoint, name: string) => measuredOf(point.measured, name).summary.median;
  const crossed = shape.findIndex((point) => time(point, line.backend) <= time(point, 'uncached'));
  if (crossed < 0) return undefined;
  return shape.slice(crossed).find((point) => time(point, line.backend) > time(point, 'uncached'))?.items;
}

/** The slope of a warm memcached page's time against its fragment's size, in µs per KiB. */
function memcachedMicrosPerKiB(points: readonly BreakEvenPoint[]): number | undefined {
  const first = points[0];
  const last = points.at(-1);
  if (first === undefined || last === undefined || last.fragmentBytes <= first.fragmentBytes) return undefined;
  const time = (point: BreakEvenPoint) => measuredOf(point.measured, 'memcached').summary.median;
  return ((time(last) - time(first)) * 1000) / ((last.fragmentBytes - first.fragmentBytes) / 1024);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function breakEven(results: BenchResults): string {
  const { breakEven: result } = results;
  const shapes = [...new Set(result.points.map((point) => point.fragments))];
  const sections = shapes.map((fragments) => {
    const rows = result.points
      .filter((point) => point.fragments === fragments)
      .map((point) => {
        const m = (name: string) => measuredOf(point.measured, name).summary.median;
        return [
          String(point.items),
          `${Math.round(point.fragmentBytes)}`,
          `${((m('uncached') * 1000) / fragments).toFixed(1)} µs`,
          fmtMs(m('uncached')),
          `${fmtMs(m('memory'))} (${x(m('uncached') / m('memory'))})`,
          `${fmtMs(m('memcached'))} (${x(m('uncached') / m('memcached'))})`,
        ];
      });
    return `### ${fragments === 1 ? 'One fragment on the page' : `A collection of ${fragments} fragments`}

${table(['items per fragment', 'bytes per fragment', 'render cost per fragment', 'uncached page', 'warm, memory (× vs uncached)', 'warm, memcached (× vs uncached)'], rows)}`;
  });
  const lines = result.lines.map((line) => [
    line.fragments === 1 ? 'one fragment' : `collection of ${line.fragments}`,
    line.backend,
    us(line.hitCostMicros),
    us(line.renderCostMicros),
  ]);
  const line = (backend: string, fragments: number) =>
    result.lines.find((entry) => entry.backend === backend && entry.fragments === fragments);
  const above = (found: BreakEvenLine | undefined) => {
    if (found?.renderCostMicros === undefined) return 'never, within the range measured';
    const relapse = slowerAgainAt(result.points, found);
    return `above about ${us(found.renderCostMicros)} of render${
      relapse === undefined ? '' : ` (yet slower than no cache again at ${relapse} items per fragment)`
    }`;
  };
  const collection = shapes.find((fragments) => fragments > 1) ?? 1;
  const perKiB = memcachedMicrosPerKiB(result.points.filter((point) => point.fragments === 1));
  return `## 6. Break-even: when does caching a fragment pay?

Rails measured cached collections of cheap fragments 6× *slower* than rendering them (rails#35257). Here a
page of F fragments, each showing k items (\`{{#each items}}<span>…</span>{{/each}}\`, data already in
memory: render cost only, no queries), rendered without a cache and warm (every fragment a hit; one
collection level, 1 round trip: tokens and fragments under their last keys) on each backend. The render cost per fragment is the uncached page's
time over F.

${sections.join('\n\n')}

${table(['page', 'backend', 'cost of a hit, per fragment', 'break-even render cost per fragment'], lines)}

**Where our line is.** In a collection of ${collection}, a fragment pays on the memory backend ${above(line('memory', collection))},
and on memcached ${above(line('memcached', collection))}.${
    line('memory', 1) === undefined
      ? ''
      : ` Alone on a page, a fragment pays on the memory backend ${above(line('memory', 1))}, and on memcached ${above(line('memcached', 1))}: a round trip is its price.`
  }${
    perKiB === undefined
      ? ''
      : ` On memcached a hit also costs about ${perKiB.toFixed(1)} µs per KiB it carries (the bytes cross the socket and are decoded).`
  }

**Which fragments not to cache.** Do not wrap a fragment whose data is already loaded and whose render is
a few lines of markup (a name, a link, a counter): below the line above, a hit costs more than the
render. Cache what saves *queries* (the article page here: 2 queries per comment block when written
naively) or a render well above the line, and put collections inside an outer block, so that a full hit
reads one fragment in one round trip whatever N. Inner blocks around cheap fragments whose loads are batched anyway (the
blog's comments: 2 queries for all the missed ones) pay little on the memory backend and can cost more
than they save on memcached: compare "after one vote" with "uncached, batched" in section 1.`;
}
