import { createStats, type SweeperOptions } from '@cachesweeper/core';
import { describe, expect, it } from 'vitest';
import { renderCached } from '../src';
import { countingBackend, row, setup, uncachedHandlebars } from './support';

const SIZES = [1, 10, 100, 1000];

function page(n: number, extra: (index: number) => object = () => ({})) {
  return {
    article: row('Article', 1, { updatedAt: new Date(1_700_000_000_000) }),
    comments: Array.from({ length: n }, (_, index) =>
      row('Comment', index + 1, { text: `c${index}`, ...extra(index) }),
    ),
  };
}

async function measure(render: () => Promise<string>, calls: ReturnType<typeof countingBackend>['calls']) {
  for (const name of Object.keys(calls) as (keyof typeof calls)[]) calls[name] = 0;
  const stats = createStats();
  const html = await render();
  return { html, reads: calls.getMany + calls.get + calls.add + calls.incr, calls: { ...calls }, stats };
}

/**
 * A page rendered once and written, on a counting memory backend: the state every test below
 * starts from. The sweeper keeps no local copies, so its pages read what any process would
 * (one that did not render them itself); the last test counts what local copies save.
 */
async function warmed(
  source: string,
  n: number,
  sweeperOptions: SweeperOptions = {},
  extra?: (index: number) => object,
) {
  const { backend, calls } = countingBackend();
  const { handlebars, sweeper } = setup({ backend, sweeper: { localCopies: false, ...sweeperOptions } });
  const template = handlebars.compile(source);
  const context = page(n, extra);
  await renderCached(template, context);
  await sweeper.idle();
  return { calls, sweeper, template, context };
}

describe('round trips per page', () => {
  const flat = '{{#each comments}}{{#cachesweeper this 60 "c"}}{{text}}{{/cachesweeper}}{{/each}}';

  it.each(SIZES)(
    'a warm page with %i blocks at one level takes 1 round trip: each fragment is read under the key it last had, with its token',
    async (n) => {
      const { calls, template, context } = await warmed(flat, n);
      const stats = createStats();
      const warm = await measure(() => renderCached(template, context, { stats }), calls);
      expect(warm.html).toBe(context.comments.map((comment) => comment.text).join(''));
      expect(stats).toMatchObject({ hits: n, misses: 0, roundTrips: 1 });
      expect(warm.calls).toMatchObject({ getMany: 1, get: 0, add: 0, set: 0, setMany: 0, incr: 0 });
    },
  );

  it.each(SIZES)(
    'without prefetch hints, a warm page with %i blocks takes 2 round trips with counter tokens',
    async (n) => {
      const { calls, template, context } = await warmed(flat, n, { prefetchHints: 0 });
      const stats = createStats();
      const warm = await measure(() => renderCached(template, context, { stats }), calls);
      expect(stats).toMatchObject({ hits: n, misses: 0, roundTrips: 2 });
      expect(warm.calls).toMatchObject({ getMany: 2, get: 0, add: 0, set: 0, setMany: 0, incr: 0 });
    },
  );

  it.each(SIZES)('a warm page with %i blocks keyed by updatedAt takes 1 round trip', async (n) => {
    const { calls, template, context } = await warmed(
      flat,
      n,
      { models: { Comment: { using: 'updatedAt' } } },
      (index) => ({ updatedAt: new Date(1_700_000_000_000 + index) }),
    );
    const stats = createStats();
    const warm = await measure(() => renderCached(template, context, { stats }), calls);
    expect(stats).toMatchObject({ hits: n, roundTrips: 1 });
    expect(warm.calls.getMany).toBe(1);
  });

  it.each(SIZES)('a cold page with %i blocks after a bump reads in 2 round trips and writes in 1', async (n) => {
    const { calls, sweeper, template, context } = await warmed(flat, n);
    await sweeper.invalidateMany(context.comments);
    const stats = createStats();
    const cold = await measure(() => renderCached(template, context, { stats }), calls);
    expect(cold.reads).toBe(2);
    // The fragments read under their old keys were not served: every block rendered again.
    expect(stats).toMatchObject({ hits: 0, misses: n, renders: n });
    expect(cold.calls.setMany).toBe(0); // the write is not awaited by the page
    await sweeper.idle();
    expect(calls.setMany).toBe(1);
  });

  describe('nested levels', () => {
    const source =
      '{{#cachesweeper article 60 "page"}}<h1>{{title}}</h1>{{#each comments}}{{#cachesweeper this 60 "c"}}{{text}}{{/cachesweeper}}{{/each}}{{/cachesweeper}}';

    it.each(SIZES)('with %i inner blocks, a full hit of the outer block takes 1 round trip', async (n) => {
      const { calls, template, context } = await warmed(source, n);
      const stats = createStats();
      await measure(() => renderCached(template, context, { stats }), calls);
      expect(stats).toMatchObject({ hits: 1, roundTrips: 1 });
      // The outer block's counter, its fragment under its last key, and the inner blocks' counters read ahead.
      expect(calls.keysRead).toBe(2 + n);
    });

    it.each(SIZES)(
      'without prefetch hints, with %i inner blocks, a full hit takes 3 round trips: tokens, the fragment, then the counters of the blocks nested in it',
      async (n) => {
        const { calls, template, context } = await warmed(source, n, { prefetchHints: 0 });
        const stats = createStats();
        await measure(() => renderCached(template, context, { stats }), calls);
        expect(stats).toMatchObject({ hits: 1, roundTrips: 3 });
        expect(calls.keysRead).toBe(2 + n);
      },
    );

    it.each(SIZES)(
      'with %i inner blocks, a miss of the outer block reads the inner level with it: 2 read rounds in all',
      async (n) => {
        const { calls, sweeper, template, context } = await warmed(source, n);
        await sweeper.invalidateMany([context.article, context.comments[0] as object]);
        const stats = createStats();
        const afterVote = await measure(() => renderCached(template, context, { stats }), calls);
        expect(afterVote.reads).toBe(2);
        expect(stats).toMatchObject({ hits: n - 1, misses: 2, renders: 2, roundTrips: 2 });
        await sweeper.idle();
        expect(calls.setMany).toBe(1);
      },
    );

    it.each(SIZES)('with %i inner blocks, cold after every row was bumped: 2 read rounds, 1 write round', async (n) => {
      const { calls, sweeper, template, context } = await warmed(source, n);
      await sweeper.invalidateMany([context.article, ...context.comments]);
      const stats = createStats();
      const cold = await measure(() => renderCached(template, context, { stats }), calls);
      expect(cold.reads).toBe(2);
      expect(stats).toMatchObject({ hits: 0, misses: n + 1, renders: n + 1 });
      await sweeper.idle();
      expect(calls.setMany).toBe(1);
    });

    it.each(SIZES)(
      'without prefetch hints, with %i inner blocks, a miss of the outer block adds 2 round trips for the inner level',
      async (n) => {
        const { calls, sweeper, template, context } = await warmed(source, n, { prefetchHints: 0 });
        await sweeper.invalidateMany([context.article, context.comments[0] as object]);
        const afterVote = await measure(() => renderCached(template, context), calls);
        expect(afterVote.reads).toBe(4);
      },
    );

    it('a comment added since the hint was taken is looked up on its own: the page stays right', async () => {
      const { calls, sweeper, template, context } = await warmed(source, 10);
      const grown = { ...context, comments: [...context.comments, row('Comment', 11, { text: 'new' })] };
      await sweeper.invalidate(context.article);
      const stats = createStats();
      const html = await measure(() => renderCached(template, grown, { stats }), calls);
      expect(html.html).toBe(uncachedHandlebars().compile(source)(grown));
      expect(stats).toMatchObject({ hits: 10, misses: 2 });
      // Round 1 tokens (+ hints), round 2 fragments (+ the 10 hinted comments), then the new comment's token round.
      expect(html.reads).toBeGreaterThanOrEqual(3);
      expect(html.reads).toBeLessThanOrEqual(4);
    });
  });

  // A process holds the fragments it wrote: keyed by updatedAt they need no check at all, and
  // with counters only the counters are read (their bytes are served from the copy).
  it.each([10, 100])('the process that rendered a page of %i blocks reads no fragment of it again', async (n) => {
    const byUpdatedAt = await warmed(
      flat,
      n,
      { localCopies: {}, models: { Comment: { using: 'updatedAt' } } },
      (index) => ({ updatedAt: new Date(1_700_000_000_000 + index) }),
    );
    const stats = createStats();
    const own = await measure(
      () => renderCached(byUpdatedAt.template, byUpdatedAt.context, { stats }),
      byUpdatedAt.calls,
    );
    expect(own.html).toBe(byUpdatedAt.context.comments.map((comment) => comment.text).join(''));
    expect(stats).toMatchObject({ hits: n, roundTrips: 0 });
    expect(own.reads).toBe(0);

    const byCounter = await warmed(flat, n, { localCopies: {} });
    const counted = createStats();
    const read = await measure(
      () => renderCached(byCounter.template, byCounter.context, { stats: counted }),
      byCounter.calls,
    );
    expect(counted).toMatchObject({ hits: n, roundTrips: 1 });
    expect(read.calls).toMatchObject({ getMany: 1, keysRead: n }); // the n counters, none of the n fragments
  });
});
