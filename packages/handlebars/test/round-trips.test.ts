import { createStats } from '@cachesweeper/core';
import { describe, expect, it } from 'vitest';
import { renderCached } from '../src';
import { countingBackend, row, setup } from './support';

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

describe('round trips per page', () => {
  it.each(SIZES)('a warm page with %i blocks at one level takes 2 round trips with counter tokens', async (n) => {
    const { backend, calls } = countingBackend();
    const { handlebars, sweeper } = setup({ backend });
    const template = handlebars.compile(
      '{{#each comments}}{{#cachesweeper this 60 "c"}}{{text}}{{/cachesweeper}}{{/each}}',
    );
    const context = page(n);
    await renderCached(template, context);
    await sweeper.idle();
    const stats = createStats();
    const warm = await measure(() => renderCached(template, context, { stats }), calls);
    expect(warm.html).toBe(context.comments.map((comment) => comment.text).join(''));
    expect(stats).toMatchObject({ hits: n, misses: 0, roundTrips: 2 });
    expect(warm.calls).toMatchObject({ getMany: 2, get: 0, add: 0, set: 0, setMany: 0, incr: 0 });
  });

  it.each(SIZES)('a warm page with %i blocks keyed by updatedAt takes 1 round trip', async (n) => {
    const { backend, calls } = countingBackend();
    const { handlebars, sweeper } = setup({ backend, sweeper: { models: { Comment: { using: 'updatedAt' } } } });
    const template = handlebars.compile(
      '{{#each comments}}{{#cachesweeper this 60 "c"}}{{text}}{{/cachesweeper}}{{/each}}',
    );
    const context = page(n, (index) => ({ updatedAt: new Date(1_700_000_000_000 + index) }));
    await renderCached(template, context);
    await sweeper.idle();
    const stats = createStats();
    const warm = await measure(() => renderCached(template, context, { stats }), calls);
    expect(stats).toMatchObject({ hits: n, roundTrips: 1 });
    expect(warm.calls.getMany).toBe(1);
  });

  it.each(SIZES)('a cold page with %i blocks after a bump reads in 2 round trips and writes in 1', async (n) => {
    const { backend, calls } = countingBackend();
    const { handlebars, sweeper } = setup({ backend });
    const template = handlebars.compile(
      '{{#each comments}}{{#cachesweeper this 60 "c"}}{{text}}{{/cachesweeper}}{{/each}}',
    );
    const context = page(n);
    await renderCached(template, context);
    await sweeper.idle();
    await sweeper.invalidateMany(context.comments);
    const cold = await measure(() => renderCached(template, context), calls);
    expect(cold.reads).toBe(2);
    expect(cold.calls.setMany).toBe(0); // the write is not awaited by the page
    await sweeper.idle();
    expect(calls.setMany).toBe(1);
  });

  describe('nested levels', () => {
    const source =
      '{{#cachesweeper article 60 "page"}}<h1>{{title}}</h1>{{#each comments}}{{#cachesweeper this 60 "c"}}{{text}}{{/cachesweeper}}{{/each}}{{/cachesweeper}}';

    it.each(SIZES)('with %i inner blocks, a full hit of the outer block takes 2 round trips', async (n) => {
      const { backend, calls } = countingBackend();
      const { handlebars, sweeper } = setup({ backend });
      const template = handlebars.compile(source);
      const context = page(n);
      await renderCached(template, context);
      await sweeper.idle();
      const stats = createStats();
      await measure(() => renderCached(template, context, { stats }), calls);
      expect(stats).toMatchObject({ hits: 1, roundTrips: 2 });
      expect(calls.keysRead).toBe(2);
    });

    it.each(SIZES)(
      'with %i inner blocks, a miss of the outer block adds 2 round trips for the inner level',
      async (n) => {
        const { backend, calls } = countingBackend();
        const { handlebars, sweeper } = setup({ backend });
        const template = handlebars.compile(source);
        const context = page(n);
        await renderCached(template, context);
        await sweeper.idle();
        await sweeper.invalidateMany([context.article, context.comments[0] as object]);
        const stats = createStats();
        const afterVote = await measure(() => renderCached(template, context, { stats }), calls);
        expect(afterVote.reads).toBe(4);
        expect(stats).toMatchObject({ hits: n - 1, misses: 2, renders: 2 });
        await sweeper.idle();
        expect(calls.setMany).toBe(1);
      },
    );
  });
});
