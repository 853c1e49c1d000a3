import { DATABASE_LABELS, DATABASES, type DatabaseName } from '../databases';
import type { BenchResults } from '../results';
import { PAGE_STATES, type PageStateId, type PageStatesAtN, variantName } from '../scenarios/page-states';
import { censusOf, floorMedian, fmtMs, measuredOf, medianOf, pairedSpeedupOf, speedupOf, times } from './figures';
import { table } from './table';

/** How the PostgreSQL contenders reach their database, in one sentence. */
function postgresSetting(results: BenchResults): string {
  return `PostgreSQL ${results.machine.postgres} over TCP on loopback (127.0.0.1:5432), a schema per contender, created and dropped by the bench`;
}

/** A ratio and its paired figure: `70× (71×)`. */
function ratioCell(page: PageStatesAtN, database: DatabaseName, baseline: PageStateId, id: PageStateId): string {
  if (id === baseline) return '1×';
  return `${times(speedupOf(page, database, baseline, id))} (${times(pairedSpeedupOf(page, database, baseline, id))})`;
}

function statesTable(page: PageStatesAtN, database: DatabaseName): string {
  const rows = PAGE_STATES.map((state) => {
    const { summary } = measuredOf(page.measured, variantName(database, state.id));
    const census = censusOf(page, database, state.id);
    return [
      state.label,
      fmtMs(summary.median),
      fmtMs(summary.p90),
      ratioCell(page, database, 'uncached', state.id),
      ratioCell(page, database, 'uncached-batched', state.id),
      census === undefined ? '' : `${census.queries} (${census.sequentialQueries})`,
      census === undefined ? '' : `${census.reads} + ${census.writeRounds}`,
      String(census?.keysRead ?? ''),
      census === undefined ? '' : `${census.hits} / ${census.misses}`,
      census?.identical ? 'yes' : 'NO',
    ];
  });
  const header = [
    'page',
    'median',
    'p90',
    '× vs naive (paired)',
    '× vs batched (paired)',
    'queries (sequential)',
    'reads + background writes',
    'keys read',
    'hits / misses',
    'same HTML as uncached',
  ];
  return table(header, rows);
}

/** Section 1: every page state at every N, a table per database. */
export function pageStatesSection(results: BenchResults): string {
  const sections = results.pages.map((page) => {
    const samples = page.measured[0]?.summary.samples ?? 0;
    const tables = DATABASES.map((database) => `**${DATABASE_LABELS[database]}**\n\n${statesTable(page, database)}`);
    return `### N = ${page.n} comments (${samples} interleaved rounds of both databases; cache failures during the run: ${page.cacheErrors})

${tables.join('\n\n')}`;
  });
  return `## 1. The article page in five states, on SQLite and on PostgreSQL

The blog's article page (\`views/articles/show.hbs\` in its layout, the blog's models, rules, installer and
miss-only loaders) with N comments, on two databases: SQLite (a file per contender) and ${postgresSetting(results)}:
every statement there waits for a network round trip, as in production (the server shares the machine's cores with the bench). *uncached*: the same templates with
\`{{#cachesweeper}}\` rendering in place and the queries a user without a cache writes (the article, the
comment list, a likes count and a dislikes count per comment). *uncached, batched*: the blog's own 4-query
loads without a cache — what a good engineer builds without a cache — to separate what batching saves
from what the cache saves. *full hit*: the outer article block hits. *after one vote*: a real
\`Vote.create\` (the installer invalidates the comment and, with WITHIN on, the article's contents counter) before the timed render; the
process rendered the page before, so it assembles the article block from that rendering (the handlebars
package's recipes): only the voted comment loads and renders. *cold*:
every row's counter bumped before the timed render. *django-cache-sweeper*: its algorithm reimplemented
(per comment block: get the version key, then the fragment, sequentially) through the plain npm
\`memcached\` client on the same server, warm; the article around the comment blocks is rendered per
request, as its README's example caches only comments. The cached pages run no query of their own: the
page's key holds the article's counter, and its block's loader reads the article row on a miss (the block
exports the title to the layout); the uncached pages and django-cache-sweeper's load the article row. Both
databases' states run in each interleaved round. "queries
(sequential)": SQL statements, and how many of them the page waited for one after another (statements
sent together count once). "reads + background writes" are cache round trips before the response and
after it; "keys read" sums the keys of the reads; "same HTML" compares the page body with the uncached
page on the same database after the state's setup (so a stale fragment would show).

Most of the distance to the naive page is its 2N + 2 queries: read the "× vs batched" column too. The
states that miss pay the cache's work on top of the same queries as the batched page, and can be slower
than it.

${sections.join('\n\n')}`;
}

/** Section 2: the full hit against N on each database and backend. */
export function scalingSection(results: BenchResults): string {
  const { pages } = results;
  const first = pages[0];
  const last = pages.at(-1);
  const rows = DATABASES.flatMap((database) =>
    (['uncached-batched', 'memory.full', 'memcached.full', 'redis.full'] as const).map((id) => {
      const label = PAGE_STATES.find((state) => state.id === id)?.label ?? id;
      const ratio =
        first === undefined || last === undefined
          ? Number.NaN
          : medianOf(last, database, id) / medianOf(first, database, id);
      return [
        DATABASE_LABELS[database],
        label,
        ...pages.map((page) => fmtMs(medianOf(page, database, id))),
        times(ratio),
        pages.map((page) => censusOf(page, database, id)?.keysRead ?? '').join(' / '),
        pages.map((page) => censusOf(page, database, id)?.queries ?? '').join(' / '),
      ];
    }),
  );
  const sizes = pages.map((page) => `N = ${page.n}`);
  const ratioHeader = `N = ${last?.n} / N = ${first?.n}`;
  return `## 2. The full hit against N

Medians from section 1. A full hit that costs the same at every N reads a fixed number of keys and runs
no SQL; here it runs none, and reads the article's tokens with its contents counter (with WITHIN on, the
blog's default) or every comment counter the page records (WITHIN=off), and the page fragment's bytes only
when the process holds no local copy of it: the first hit, and once a minute. Every page ends as the bytes a
server writes: the full hit's 550 KB fragment at N = 1000 goes out as bytes encoded once and held, beside its
encoded head and tail (\`PageBody\`), not copied. Timed after the same gap (section 4) the full hit then costs
about the same at every N. Here it still grows with N because its gap does: each page follows the other
contenders' pages, which take longer at a larger N, and a page (and the memcached server) started after a longer
idle runs slower at any N (bench README, "How it measures").

${table(['database', 'page', ...sizes, ratioHeader, `keys read (${sizes.join(' / ')})`, `queries (${sizes.join(' / ')})`], rows)}`;
}

/** Section 3: cache round trips, keys and SQL per page state against N. */
export function roundTripsSection(results: BenchResults): string {
  const ids = PAGE_STATES.map((state) => state.id);
  const rows = DATABASES.flatMap((database) =>
    ids.map((id) => [
      DATABASE_LABELS[database],
      PAGE_STATES.find((state) => state.id === id)?.label ?? id,
      ...results.pages.map((page) => {
        const row = censusOf(page, database, id);
        return row === undefined
          ? ''
          : `${row.reads} + ${row.writeRounds}, ${row.keysRead} keys; ${row.queries} (${row.sequentialQueries}) SQL`;
      }),
    ]),
  );
  return `## 3. Round trips per page against N

Per page: cache reads before the response + write rounds after it (from the per-page stats \`renderCached\`
fills), the keys those reads carried, and SQL statements (sequential ones in brackets; on PostgreSQL each
is at least one network round trip). The page nests two levels (the article block around the comment
blocks). The sweeper remembers, per process, the key each fragment last had and the blocks it nested
(\`prefetchHints\`): the token round also reads the page fragment under its last key (a full hit when the
token has not changed) and the comment blocks' tokens, and when the page fragment missed, the fragment
round reads the comment fragments with it, so the comment level needs no round of its own, whatever N.

${table(['database', 'page', ...results.pages.map((page) => `N = ${page.n}`)], rows)}`;
}

/** Section 4: the full-hit memcached page against a bare socket, on each database. */
export function floorSection(results: BenchResults): string {
  const rows = results.floor.map((entry) => {
    const perDatabase = DATABASES.flatMap((database) => {
      const page = floorMedian(entry, database, 'page');
      const floor = floorMedian(entry, database, 'floor');
      return [fmtMs(page), fmtMs(floor), `${(page / floor).toFixed(2)}×`];
    });
    return [
      String(entry.n),
      `${(entry.fragmentBytes / 1024).toFixed(1)} KiB`,
      ...perDatabase,
      entry.identical ? 'yes' : 'NO',
    ];
  });
  const header = [
    'N',
    'fragment',
    ...DATABASES.flatMap((database) => {
      const label = DATABASE_LABELS[database];
      return [`${label}: page`, `${label}: floor`, `${label}: page / floor`];
    }),
    'same bytes',
  ];
  return `## 4. The floor: a full-hit memcached page against a bare socket

*floor*: the same key rounds (${results.floor.map((entry) => entry.keysPerRound.join(' + ')).join(', ')} keys at
N = ${results.floor.map((entry) => entry.n).join(', ')}, recorded from the real page) as \`get k1 k2 …\` over one bare
\`net.Socket\`, the page fragment held in memory (as the page holds its local copy, whose bytes it does not
read again), its title from the exports stored with it, and the page assembled with a template literal around a
mark where the fragment goes, then written as the pieces a server writes: the text before the mark and after it,
encoded, and the fragment's bytes, encoded once and held, as the page holds them (\`PageBody\`): no
key building, no tokens, no check of the counters nested in the page (the floor skips the stored header and
trusts the value), no template engine, no deadlines. Neither runs SQL: the page's route loads nothing.

${table(header, rows)}`;
}
