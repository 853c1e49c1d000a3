import type { BenchResults } from '../results';
import type { BreakEvenLine, BreakEvenPoint } from '../scenarios/break-even';
import { fmtMs, measuredOf, times } from './figures';
import { table } from './table';

const us = (value: number | undefined) =>
  value === undefined ? 'not within the range' : `${value.toFixed(value >= 100 ? 0 : 1)} µs`;

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

/** Section 7: where caching a fragment starts to pay. */
export function breakEvenSection(results: BenchResults): string {
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
          `${fmtMs(m('memory'))} (${times(m('uncached') / m('memory'))})`,
          `${fmtMs(m('memcached'))} (${times(m('uncached') / m('memcached'))})`,
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
  return `## 7. Break-even: when does caching a fragment pay?

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
