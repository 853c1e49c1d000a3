import type { BenchResults } from '../results';
import { KEY_COPIES_N, KEY_COPIES_WORK, keyCopiesVariant } from '../scenarios/key-copies';
import { pairedSpeedup } from '../stats';
import { fmtMs, measuredOf, pct } from './figures';
import { table } from './table';

/** Section 8: what the memcached backend's key copies cost on two servers. */
export function keyCopiesSection(results: BenchResults): string {
  const result = results.keyCopies;
  if (result === undefined) return '## 8. Key copies on two memcached servers\n\nNot measured in this run.';
  const rows = KEY_COPIES_WORK.map((what) => {
    const copies = measuredOf(result.measured, keyCopiesVariant(what, true));
    const one = measuredOf(result.measured, keyCopiesVariant(what, false));
    return [
      what,
      fmtMs(copies.summary.median),
      fmtMs(copies.summary.p90),
      fmtMs(one.summary.median),
      fmtMs(one.summary.p90),
      pct(copies.summary.median / one.summary.median - 1),
      pct(1 / pairedSpeedup(one.times, copies.times) - 1),
    ];
  });
  return `## 8. Key copies on two memcached servers

The blog (SQLite, N = ${KEY_COPIES_N}) on two memcached servers, with the backend's key copies (\`keyCopies\`,
the default: each counter also on the other server, each generation on both) and without
(\`keyCopies: false\`), side by side. *invalidation*: \`sweeper.invalidate\` of one comment, what a vote
sends after its commit (one \`incr\`, or one per copy, in one round). *full hit*: the article page (the
same reads either way). *counters created*: the page right after every counter of it was deleted, as an
eviction or a restart would (each counter created again with an \`add\`, with copies one more on the other
server, in the same round; the page's fragments miss too, its tokens being new).
Same HTML with and without copies: ${result.identical ? 'yes' : '**no**'}.

${table(['work', 'copies: median', 'copies: p90', 'one copy: median', 'one copy: p90', 'copies cost', 'copies cost (paired)'], rows)}`;
}
