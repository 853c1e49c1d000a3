import { createSweeper, memoryBackend, type Sweeper } from '@cachesweeper/core';
import { registerCacheSweeper, renderCached } from '@cachesweeper/handlebars';
import { memcachedBackend } from '@cachesweeper/memcached';
import Handlebars from 'handlebars';
import { renderInPlace } from '../baselines/uncached';
import { interleave, type Measured } from '../harness';
import type { BenchScale } from '../scale';

/** One page shape: `fragments` blocks of `items` items each, uncached and warm on each backend. */
export interface BreakEvenPoint {
  readonly fragments: number;
  readonly items: number;
  /** Bytes of one fragment. */
  readonly fragmentBytes: number;
  /** `uncached`, `memory`, `memcached`. */
  readonly measured: Measured[];
}

/** Where caching starts to pay, for one backend and page shape. */
export interface BreakEvenLine {
  readonly backend: 'memory' | 'memcached';
  readonly fragments: number;
  /** Render cost (µs per fragment, uncached) at which the warm page becomes as fast as the uncached one; undefined if never within the range. */
  readonly renderCostMicros: number | undefined;
  /** What a hit costs per fragment at the cheapest fragment (µs): the fixed price of caching a fragment. */
  readonly hitCostMicros: number;
}

/** The break-even measurement. */
export interface BreakEvenResult {
  readonly points: BreakEvenPoint[];
  readonly lines: BreakEvenLine[];
}

const TEMPLATE =
  '<ul>{{#each rows}}{{#cachesweeper this 3600 "row" size}}<li data-id="{{id}}">{{#each items}}<span class="item">{{this}}</span>{{/each}}</li>{{/cachesweeper}}{{/each}}</ul>';

/**
 * Rails measured cached collections of cheap fragments slower than no cache
 * (rails#35257). This finds our line: a page of F fragments whose render cost grows
 * with the number of items each shows (data already in memory: render cost only,
 * no queries), rendered without a cache and warm (every fragment a hit, one
 * collection level: 2 round trips) on each backend, side by side. Where the warm
 * page's time crosses the uncached page's is the break-even render cost.
 */
export async function measureBreakEven(scale: BenchScale, memcachedAddress: string): Promise<BreakEvenResult> {
  const sweepers: Record<'memory' | 'memcached', Sweeper> = {
    memory: createSweeper({ backend: memoryBackend(), namespace: 'breakeven' }),
    memcached: createSweeper({ backend: memcachedBackend({ servers: memcachedAddress }), namespace: 'breakeven' }),
  };
  const templates = Object.fromEntries(
    Object.entries(sweepers).map(([name, sweeper]) => {
      const handlebars = Handlebars.create();
      registerCacheSweeper(handlebars, sweeper);
      return [name, handlebars.compile(TEMPLATE)];
    }),
  ) as Record<'memory' | 'memcached', Handlebars.TemplateDelegate>;
  const plain = Handlebars.create();
  plain.registerHelper('cachesweeper', renderInPlace);
  const uncached = plain.compile(TEMPLATE);

  const points: BreakEvenPoint[] = [];
  try {
    for (const { fragments, items: sizes } of scale.breakEven.shapes) {
      for (const items of sizes) {
        const rows = Array.from({ length: fragments }, (_, index) => ({
          model: 'Row',
          id: index + 1,
          size: items,
          items: Array.from({ length: items }, (_, item) => `item ${item} of row ${index + 1} <&>`),
        }));
        const context = { rows };
        const expected = uncached(context);
        for (const [name, template] of Object.entries(templates)) {
          await renderCached(template, context);
          await sweepers[name as 'memory' | 'memcached'].idle();
          if ((await renderCached(template, context)) !== expected) {
            throw new Error(`[cachesweeper] [bench] break-even: the ${name} page differs from the uncached one`);
          }
        }
        const measured = await interleave(
          [
            { name: 'uncached', run: () => uncached(context) },
            { name: 'memory', run: () => renderCached(templates.memory, context) },
            { name: 'memcached', run: () => renderCached(templates.memcached, context) },
          ],
          scale.breakEven.rounds,
        );
        points.push({ fragments, items, fragmentBytes: Buffer.byteLength(expected) / fragments, measured });
      }
    }
  } finally {
    for (const sweeper of Object.values(sweepers)) await sweeper.close();
  }
  const lines: BreakEvenLine[] = [];
  for (const { fragments } of scale.breakEven.shapes) {
    for (const backend of ['memory', 'memcached'] as const) {
      lines.push(
        breakEvenLine(
          points.filter((point) => point.fragments === fragments),
          backend,
          fragments,
        ),
      );
    }
  }
  return { points, lines };
}

function median(point: BreakEvenPoint, name: string): number {
  return point.measured.find((measured) => measured.name === name)?.summary.median ?? Number.NaN;
}

/** Interpolates where cached − uncached changes sign, in uncached µs per fragment. */
function breakEvenLine(
  points: readonly BreakEvenPoint[],
  backend: 'memory' | 'memcached',
  fragments: number,
): BreakEvenLine {
  const costOf = (point: BreakEvenPoint) => (median(point, 'uncached') * 1000) / fragments;
  const gapOf = (point: BreakEvenPoint) => median(point, backend) - median(point, 'uncached');
  const first = points[0] as BreakEvenPoint;
  const hitCostMicros = (median(first, backend) * 1000) / fragments;
  if (gapOf(first) <= 0) return { backend, fragments, renderCostMicros: costOf(first), hitCostMicros };
  for (let index = 1; index < points.length; index++) {
    const before = points[index - 1] as BreakEvenPoint;
    const after = points[index] as BreakEvenPoint;
    if (gapOf(after) <= 0) {
      const share = gapOf(before) / (gapOf(before) - gapOf(after));
      return {
        backend,
        fragments,
        renderCostMicros: costOf(before) + share * (costOf(after) - costOf(before)),
        hitCostMicros,
      };
    }
  }
  return { backend, fragments, renderCostMicros: undefined, hitCostMicros };
}
