import { createStats, createSweeper, memoryBackend } from '@cachesweeper/core';
import fc from 'fast-check';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { registerCacheSweeper, renderCached } from '../src';
import { affectedBy, type Node, numbered, PARTIALS, STRING, TEMPLATE, TREE } from './generators';
import { countingBackend, uncachedHandlebars } from './support';

function cachedHandlebars(partials: Record<string, string>, backend = memoryBackend()) {
  const handlebars = Handlebars.create();
  const sweeper = createSweeper({ backend });
  registerCacheSweeper(handlebars, sweeper);
  for (const [name, source] of Object.entries(partials)) handlebars.registerPartial(name, source);
  return { handlebars, sweeper };
}

// PROPERTY_RUNS=5000 for a longer hunt.
const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

/*
 * Random templates over a random tree of rows render the same uncached, cold-cached,
 * warm-cached and after an invalidation (see generators.ts for why they are keyed right).
 */
describe('random templates and contexts', () => {
  it(
    'render identically uncached, cold-cached and warm-cached, and after an invalidation',
    async () => {
      let warmHits = 0;
      await fc.assert(
        fc.asyncProperty(TEMPLATE, PARTIALS, TREE, STRING, fc.nat(), async (source, partials, root, title, pick) => {
          const { tree, rows } = numbered(root, title);
          const expected = uncachedHandlebars(partials).compile(source)(tree);

          const batched = cachedHandlebars(partials, countingBackend().backend);
          const template = batched.handlebars.compile(source);
          expect(await renderCached(template, tree)).toBe(expected);
          await batched.sweeper.idle();
          const stats = createStats();
          expect(await renderCached(template, tree, { stats })).toBe(expected);
          if (stats.hits > 0) warmHits++;

          const inPlace = cachedHandlebars(partials);
          const plain = inPlace.handlebars.compile(source);
          expect(plain(tree)).toBe(expected);
          expect(plain(tree)).toBe(expected);

          // A row changes; it and every row whose blocks can show it are invalidated.
          const changed = rows[pick % rows.length] as { row: Node; ancestors: Node[] };
          changed.row.name = `${changed.row.name}*`;
          changed.row.flag = !changed.row.flag;
          const affected = affectedBy(rows, changed);
          await batched.sweeper.invalidateMany(affected);
          await inPlace.sweeper.invalidateMany(affected);
          const after = uncachedHandlebars(partials).compile(source)(tree);
          expect(await renderCached(template, tree)).toBe(after);
          expect(plain(tree)).toBe(after);
        }),
        { numRuns: RUNS },
      );
      // The generator must exercise the cache, not only plain Handlebars.
      expect(warmHits).toBeGreaterThan(RUNS / 4);
    },
    RUNS * 200,
  );
});
