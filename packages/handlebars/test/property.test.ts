import { createStats } from '@cachesweeper/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { affectedBy, type Node, numbered, PARTIALS, STRING, TEMPLATE, TREE } from './generators';
import { cachedInstance, cachedRender, EngineHarness, fallbacks, pageOf, reference } from './property-harness';
import { countingBackend } from './support';

// CI runs a few hundred cases; PROPERTY_RUNS=10000 is the full hunt (see the README for its last figure).
const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

const engines = new EngineHarness();
afterAll(() => engines.close(), 60_000);

/*
 * Random templates (see generators.ts) over a random tree render the same uncached and
 * cached — cold, warm, and after a row changed (only it and its ancestors invalidated)
 * and the title changed (nothing invalidated) — through renderCached (an asynchronous
 * backend), the express-handlebars engine and plain template(context) calls (the memory
 * backend).
 */
describe('random templates and contexts', () => {
  it(
    'render identically uncached and cached, through renderCached, the engine and plain calls',
    async () => {
      let cases = 0;
      let warmHits = 0;
      await fc.assert(
        fc.asyncProperty(TEMPLATE, PARTIALS, TREE, STRING, fc.nat(), async (source, partials, root, title, pick) => {
          const { tree, rows } = numbered(root);
          const uncached = reference(source, partials);
          const expected = uncached(pageOf(tree, title));

          const batched = cachedInstance(partials, countingBackend().backend);
          const render = cachedRender(batched.handlebars, source);
          expect(await render(pageOf(tree, title))).toBe(expected);
          await batched.sweeper.idle();
          const stats = createStats();
          const warm = await cachedRender(batched.handlebars, source)(pageOf(tree, title));
          expect(warm).toBe(expected);
          if (stats.hits > 0 || batched.sweeper.stats().hits > 0) warmHits++;

          const engine = engines.engineFor(source, partials);
          expect(await engine.render(pageOf(tree, title))).toBe(expected.trim());
          await engine.sweeper.idle();
          expect(await engine.render(pageOf(tree, title))).toBe(expected.trim());

          const inPlace = cachedInstance(partials);
          const plain = inPlace.handlebars.compile(source);
          expect(plain(pageOf(tree, title))).toBe(expected);
          expect(plain(pageOf(tree, title))).toBe(expected);

          // A row changes; it and the rows whose data holds it are invalidated. The title changes too, unannounced.
          const changed = rows[pick % rows.length] as { row: Node; ancestors: Node[] };
          changed.row.name = `${changed.row.name}*`;
          changed.row.flag = !changed.row.flag;
          const retitled = pick % 2 === 0 ? `${title}!` : title;
          const affected = affectedBy(changed);
          await Promise.all(
            [batched.sweeper, engine.sweeper, inPlace.sweeper].map((sweeper) => sweeper.invalidateMany(affected)),
          );
          const after = uncached(pageOf(tree, retitled));
          expect(await render(pageOf(tree, retitled))).toBe(after);
          expect(await engine.render(pageOf(tree, retitled))).toBe(after.trim());
          expect(plain(pageOf(tree, retitled))).toBe(after);
          engine.done();
          cases++;
        }),
        { numRuns: RUNS },
      );
      console.log(
        `property: ${cases} cases, ${cases * 9} cached renders compared, 0 differences; ${warmHits} cases with warm hits; ${fallbacks.count} unaware-helper fallbacks`,
      );
      // The generator must exercise the cache, not only plain Handlebars.
      expect(warmHits).toBeGreaterThan(RUNS / 4);
    },
    RUNS * 1000,
  );
});
