import { createStats, createSweeper, type Sweeper } from '@cachesweeper/core';
import { memcachedBackend } from '@cachesweeper/memcached';
import { type MemcachedProcess, startMemcached } from '@cachesweeper/test-support';
import fc from 'fast-check';
import Handlebars from 'handlebars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCacheSweeper, renderCached } from '../src';
import { affectedBy, type Node, numbered, PARTIALS, STRING, TEMPLATE, TREE } from './generators';
import { pageOf, reference, registerHelpers } from './property-harness';
import { row, uncachedHandlebars } from './support';

let server: MemcachedProcess;
const sweepers: Sweeper[] = [];
let namespaces = 0;

beforeAll(async () => {
  server = await startMemcached({ memoryMb: 32 });
});
afterAll(async () => {
  await Promise.all(sweepers.map((sweeper) => sweeper.close()));
  await server.stop();
});

/** A Handlebars instance on a sweeper of its own namespace on the test's memcached. */
function onMemcached(options: { timeoutMs?: number; partials?: Record<string, string>; namespace?: string } = {}) {
  const sweeper = createSweeper({
    backend: memcachedBackend({ servers: server.address, timeoutMs: options.timeoutMs ?? 1000 }),
    namespace: options.namespace ?? `t${++namespaces}`,
    timeoutMs: options.timeoutMs ?? 1000,
  });
  sweepers.push(sweeper);
  const handlebars = Handlebars.create();
  registerCacheSweeper(handlebars, sweeper);
  for (const [name, partial] of Object.entries(options.partials ?? {})) handlebars.registerPartial(name, partial);
  return { handlebars, sweeper };
}

const source =
  '{{#cachesweeper article 600 "page"}}<h1>{{article.title}}</h1>\n<ul>\n  {{#each comments}}\n  {{#cachesweeper this 600 "c"}}<li>{{text}} #{{@index}}</li>{{/cachesweeper}}\n  {{/each}}\n</ul>{{/cachesweeper}}';

function page(n: number) {
  return {
    article: row('Article', 1, { title: 'On <memcached>' }),
    comments: Array.from({ length: n }, (_, index) => row('Comment', index + 1, { text: `c${index} & "q"` })),
  };
}

describe('on a real memcached', () => {
  it.each([1, 10, 100, 1000])(
    'a page with %i comment blocks renders byte-identical to uncached, cold, warm and after a vote',
    async (n) => {
      const { handlebars, sweeper } = onMemcached();
      const template = handlebars.compile(source);
      const context = page(n);
      const expected = uncachedHandlebars().compile(source)(context);
      expect(await renderCached(template, context)).toBe(expected);
      await sweeper.idle();
      expect(await renderCached(template, context)).toBe(expected);
      (context.comments[0] as { text: string }).text = 'voted';
      await sweeper.invalidateMany([context.article, context.comments[0] as object]);
      expect(await renderCached(template, context)).toBe(uncachedHandlebars().compile(source)(context));
    },
  );

  it.each([1, 10, 100, 1000])(
    'with %i comment blocks: full hit 1 round trip, after a vote 2, cold 2, whatever N',
    async (n) => {
      const { handlebars, sweeper } = onMemcached();
      const template = handlebars.compile(source);
      const context = page(n);
      await renderCached(template, context);
      await sweeper.idle();
      const full = createStats();
      await renderCached(template, context, { stats: full });
      expect(full).toMatchObject({ hits: 1, roundTrips: 1 });
      (context.comments[n - 1] as { text: string }).text = 'voted';
      await sweeper.invalidateMany([context.article, context.comments[n - 1] as object]);
      const afterVote = createStats();
      const html = await renderCached(template, context, { stats: afterVote });
      expect(html).toBe(uncachedHandlebars().compile(source)(context));
      expect(afterVote).toMatchObject({ hits: n - 1, misses: 2, roundTrips: 2 });
      await sweeper.idle();
      expect(afterVote).toMatchObject({ stores: 2, roundTrips: 3 }); // plus one write round, after the page
      await sweeper.invalidateMany([context.article, ...context.comments]);
      const cold = createStats();
      await renderCached(template, context, { stats: cold });
      expect(cold).toMatchObject({ hits: 0, misses: n + 1, roundTrips: 2 });
    },
  );

  it('two processes: a hint taken before the other one changed a row never serves the old fragment', async () => {
    const namespace = `shared${++namespaces}`;
    const a = onMemcached({ namespace });
    const b = onMemcached({ namespace });
    const context = page(10);
    const templateA = a.handlebars.compile(source);
    const templateB = b.handlebars.compile(source);
    await renderCached(templateA, context);
    await a.sweeper.idle();
    // Process B changes a comment and renders the page first; A still remembers the old keys.
    (context.comments[3] as { text: string }).text = 'edited by B';
    await b.sweeper.invalidateMany([context.article, context.comments[3] as object]);
    const expected = uncachedHandlebars().compile(source)(context);
    expect(await renderCached(templateB, context)).toBe(expected);
    await b.sweeper.idle();
    const stats = createStats();
    expect(await renderCached(templateA, context, { stats })).toBe(expected);
    expect(stats).toMatchObject({ hits: 1, misses: 0, roundTrips: 2 });
  });

  it('a frozen memcached: the page renders uncached within the deadline, then caches again once it thaws', async () => {
    const { handlebars, sweeper } = onMemcached({ timeoutMs: 100 });
    const template = handlebars.compile(source);
    const context = page(10);
    const expected = uncachedHandlebars().compile(source)(context);
    await renderCached(template, context);
    await sweeper.idle();
    await server.freeze();
    try {
      const stats = createStats();
      const started = performance.now();
      expect(await renderCached(template, context, { stats })).toBe(expected);
      expect(performance.now() - started).toBeLessThan(3000); // a 100 ms deadline, generous slack
      expect(stats).toMatchObject({ uncached: 11, roundTrips: 1 });
    } finally {
      await server.thaw();
    }
    await sweeper.idle();
    let hits = 0;
    for (let attempt = 0; attempt < 50 && hits === 0; attempt++) {
      const stats = createStats();
      expect(await renderCached(template, context, { stats })).toBe(expected);
      hits = stats.hits;
      if (hits === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(hits).toBe(1);
  }, 20_000);

  it('random templates render identically uncached, cold, warm and after an invalidation', async () => {
    await fc.assert(
      fc.asyncProperty(TEMPLATE, PARTIALS, TREE, STRING, fc.nat(), async (source, partials, root, title, pick) => {
        const { tree, rows } = numbered(root);
        const { handlebars, sweeper } = onMemcached({ partials });
        registerHelpers(handlebars, partials.w);
        const template = handlebars.compile(source);
        const uncached = reference(source, partials);
        const expected = uncached(pageOf(tree, title));
        expect(await renderCached(template, pageOf(tree, title))).toBe(expected);
        await sweeper.idle();
        expect(await renderCached(template, pageOf(tree, title))).toBe(expected);
        const changed = rows[pick % rows.length] as { row: Node; ancestors: Node[] };
        changed.row.name = `${changed.row.name}!`;
        await sweeper.invalidateMany(affectedBy(changed));
        expect(await renderCached(template, pageOf(tree, title))).toBe(uncached(pageOf(tree, title)));
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
