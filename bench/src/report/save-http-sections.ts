import { DATABASE_LABELS, DATABASES } from '../databases';
import type { BenchResults } from '../results';
import type { HttpFigures, HttpResult } from '../scenarios/http';
import { type OutboxPair, savePrefix } from '../scenarios/saves';
import { pairedSpeedup } from '../stats';
import { fmtMs, measuredOf, pct, times } from './figures';
import { table } from './table';

/** Section 5: a vote save with and without the installer. */
export function savesSection(results: BenchResults): string {
  const { saves: result } = results;
  const rows = result.measured.map((measured) => {
    const mode = measured.name.endsWith('autocommit') ? 'autocommit' : 'in a transaction';
    const prefix = DATABASES.map(savePrefix).find((each) => each !== '' && measured.name.startsWith(each)) ?? '';
    const baseline = measuredOf(result.measured, `${prefix}no installer, ${mode}`).summary.median;
    const census = result.census.find((row) => row.name === measured.name);
    return [
      measured.name,
      fmtMs(measured.summary.median),
      fmtMs(measured.summary.p90),
      measured.name.startsWith(`${prefix}no installer`) ? '' : pct(measured.summary.median / baseline - 1),
      String(census?.queries ?? ''),
      String(census?.callsInTransaction ?? ''),
      String(census?.callsAfterCommit ?? ''),
    ];
  });
  return `## 5. Saves: a vote with and without the installer

\`Vote.create\` on a SQLite file (each contender its own, journal synced to disk as SQLite does by
default) and on PostgreSQL over TCP (a schema each), inside \`sequelize.transaction()\` and as the blog's
route does it (autocommit). The blog's installer has the transactional outbox on: it writes a row of the
write's keys in the write's transaction (on PostgreSQL in the COMMIT's own query; an autocommit save becomes
a transaction of its own) and deletes
it once the invalidations landed, in one DELETE per 100 ms; "outbox off" is the same installer without it.
With the blog's
rules the installer invalidates the vote and its comment (no query: the vote holds \`commentId\`); the
article page, which nests the comment's fragment, is checked against the comment's counter when read.
With django-cache-sweeper's rules the vote also names \`comment.article\`, which costs one SELECT unless
the route passes the comment it loaded (\`cachesweeper: { loaded: [comment] }\`). Backend calls are counted
in an untimed census pass, split by whether a transaction was open (BEGIN sent, COMMIT not yet finished).

${table(['save', 'median', 'p90', 'overhead', 'queries per save', 'calls inside the transaction', 'calls after commit, per save'], rows)}

Each contender runs on a blog of its own, and with 24 of them interleaved, contenders that do the same
work differ by up to 10–20% (compare "outbox off" with "outbox off, Vote → 'comment.article' too,
comment passed as loaded": the same three statements). So the outbox's overhead, issue 13's target, is
also measured by its two contenders alone, right after this table, on the same blogs, side by side:

${table(['database', 'outbox on', 'outbox off', 'rounds', 'overhead (paired median)'], result.outboxPairs.map(outboxPairRow))}`;
}

function outboxPairRow(pair: OutboxPair): string[] {
  const [withOutbox, without] = pair.measured;
  return [
    DATABASE_LABELS[pair.database],
    fmtMs(withOutbox.summary.median),
    fmtMs(without.summary.median),
    String(withOutbox.times.length),
    pct(outboxPairOverhead(pair)),
  ];
}

/** What the outbox adds to a save in `pair`: the median of per-round ratios (with over without), minus one. */
export function outboxPairOverhead({ measured: [withOutbox, without] }: OutboxPair): number {
  // pairedSpeedup(a, b) is the median of a[i] / b[i]: here the time with the outbox over the time without.
  return pairedSpeedup(withOutbox.times, without.times) - 1;
}

/** Section 6: the blog under HTTP load, at N and (when measured) at a larger N. */
export function httpSection(results: BenchResults): string {
  const { http: result, httpLarge } = results;
  // The page fragment's size at that N, as the floor measured it (section 4).
  const fragment = results.floor.find((entry) => entry.n === httpLarge?.n)?.fragmentBytes;
  const size = fragment === undefined ? '' : `a page fragment of ${(fragment / 1024).toFixed(1)} KiB; `;
  const large =
    httpLarge === undefined
      ? ''
      : `

At N = ${httpLarge.n} (${size}the naive app left out, at ${2 * httpLarge.n} queries a page), in a
server process of its own, the same runs. The cached apps send the page as bytes (\`cachesweeperResponses\`,
\`sendPage\`): the cached fragment's bytes are encoded once and held, not copied, encoded and hashed per
response. Cache failures in the server: ${httpLarge.cacheErrors}.

${httpTable(httpLarge)}`;
  return `## 6. HTTP: the blog under load

\`GET /articles/:id\` with N = ${result.n} comments, ${result.connections} connections, autocannon's programmatic
API in the bench process, the apps in one server process with \`NODE_ENV=production\` (Express view cache
${result.viewCache ? 'on' : 'OFF'}): the real blog (express-handlebars with \`cachesweeperEngine\`) on each
backend, and the same views without a cache, with the naive queries (2 per comment) and with the blog's 4
batched ones. Under load the server is never idle, so no page pays the cost of starting after a pause (see
\`bench/README.md\`, "How it measures"). ${result.runs} runs of ${result.seconds} s per app, interleaved;
figures are medians over runs. Cache failures in the server: ${result.cacheErrors}.

${httpTable(result)}${large}`;
}

function httpTable(result: HttpResult): string {
  const rpsOf = (name: HttpFigures['name']) => result.figures.find((figure) => figure.name === name)?.rps.median;
  // Blank on the baseline's own row, and where the baseline did not run.
  const versus = (figure: HttpFigures, name: HttpFigures['name']) => {
    const baseline = rpsOf(name);
    return baseline === undefined || figure.name === name ? '' : times(figure.rps.median / baseline);
  };
  const rows = result.figures.map((figure) => [
    HTTP_APP_LABELS[figure.name],
    figure.rps.median.toFixed(figure.rps.median >= 100 ? 0 : 1),
    versus(figure, 'uncached'),
    figure.name.startsWith('uncached') ? '' : versus(figure, 'uncached-batched'),
    `${median(figure.p50).toFixed(0)} ms`,
    `${figure.latencyP99.median.toFixed(0)} ms`,
    String(figure.failures),
  ]);
  return table(['app', 'req/s', '× vs naive', '× vs batched', 'p50', 'p99', 'non-2xx + errors'], rows);
}

const HTTP_APP_LABELS: Record<HttpFigures['name'], string> = {
  uncached: 'uncached (2 queries per comment)',
  'uncached-batched': 'uncached, batched queries (4 queries)',
  memory: 'cached, memory',
  memcached: 'cached, memcached',
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
