import { createStats, createSweeper, memoryBackend, versionKey } from '@cachesweeper/core';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { registerCacheSweeper, renderCached } from '../src';
import { row, setup, uncachedHandlebars } from './support';

const source =
  '{{#cachesweeper article 60 "page"}}<h1>{{article.title}}</h1>{{#each comments}}{{#cachesweeper this 60 "c"}}<p>{{text}}</p>{{/cachesweeper}}{{/each}}{{/cachesweeper}}';

function page(n = 5) {
  return {
    article: row('Article', 1, { title: 'T' }),
    comments: Array.from({ length: n }, (_, index) => row('Comment', index + 1, { text: `c${index}` })),
  };
}

const expected = (context: object) => uncachedHandlebars().compile(source)(context);

/*
 * An outer fragment is stored with the counters of the fragments nested in it, and is
 * served only while they hold: a change to a comment invalidates the article page
 * that shows it without any rule reaching the article (no query to find it).
 */
describe('outer fragments checked against the counters of the fragments nested in them', () => {
  it.each([
    ['with prefetch hints', {}],
    ['without prefetch hints', { prefetchHints: 0 }],
  ])('%s: bumping one comment alone re-renders it and the page around it, nothing else', async (_, options) => {
    const { handlebars, sweeper } = setup({ sweeper: options });
    const template = handlebars.compile(source);
    const context = page();
    await renderCached(template, context);
    await sweeper.idle();

    (context.comments[2] as { text: string }).text = 'voted';
    await sweeper.invalidate(context.comments[2] as object); // the article is not invalidated
    const stats = createStats();
    expect(await renderCached(template, context, { stats })).toBe(expected(context));
    expect(stats).toMatchObject({ hits: 4, misses: 2, renders: 2 });
    await sweeper.idle();
    const warm = createStats();
    expect(await renderCached(template, context, { stats: warm })).toBe(expected(context));
    expect(warm).toMatchObject({ hits: 1, misses: 0 });
  });

  it('a plain template(context) call with a synchronous backend checks them too', async () => {
    const { handlebars, sweeper } = setup();
    const template = handlebars.compile(source);
    const context = page();
    expect(template(context)).toBe(expected(context));
    (context.comments[4] as { text: string }).text = 'edited';
    await sweeper.invalidate(context.comments[4] as object);
    expect(template(context)).toBe(expected(context));
    expect(sweeper.stats()).toMatchObject({ hits: 4 });
    expect(template(context)).toBe(expected(context));
    expect(sweeper.stats()).toMatchObject({ hits: 5 });
  });

  it('another process that never rendered the page learns the counters from the stored copy', async () => {
    const backend = memoryBackend();
    const processes = [0, 1].map(() => {
      const handlebars = Handlebars.create();
      const sweeper = createSweeper({ backend });
      registerCacheSweeper(handlebars, sweeper);
      return { template: handlebars.compile(source), sweeper };
    });
    const [a, b] = processes as [(typeof processes)[0], (typeof processes)[0]];
    const context = page();
    await renderCached(a.template, context);
    await a.sweeper.idle();

    const first = createStats();
    expect(await renderCached(b.template, context, { stats: first })).toBe(expected(context));
    expect(first).toMatchObject({ hits: 1, roundTrips: 3 }); // tokens, the page, the comments' counters
    const second = createStats();
    await renderCached(b.template, context, { stats: second });
    expect(second).toMatchObject({ hits: 1, roundTrips: 1 }); // all three in one round now

    (context.comments[0] as { text: string }).text = 'changed in A';
    await a.sweeper.invalidate(context.comments[0] as object);
    expect(await renderCached(b.template, context)).toBe(expected(context));
  });

  it('a nested counter that was lost (evicted, flushed) makes the outer copy a miss, never a stale hit', async () => {
    const backend = memoryBackend();
    const { handlebars, sweeper } = setup({ backend, sweeper: { namespace: 'lost' } });
    const template = handlebars.compile(source);
    const context = page();
    await renderCached(template, context);
    await sweeper.idle();
    await backend.delete(versionKey('lost', 'Comment', 3));
    (context.comments[2] as { text: string }).text = 'changed while its counter was gone';
    const stats = createStats();
    expect(await renderCached(template, context, { stats })).toBe(expected(context));
    expect(stats).toMatchObject({ hits: 4, misses: 2 });
  });

  it('a block holding a block that could not be keyed is not stored', async () => {
    const { handlebars, sweeper } = setup({ sweeper: { namespace: 'unkeyed' } });
    const template = handlebars.compile(source);
    const context = page(2);
    const backend = sweeper.backend;
    // A garbled counter: that comment renders uncached, so the page around it cannot be checked later.
    await backend.set(versionKey('unkeyed', 'Comment', 2), 'garbage', 0);
    await renderCached(template, context);
    await sweeper.idle();
    const stats = createStats();
    await renderCached(template, context, { stats });
    expect(stats).toMatchObject({ hits: 1, misses: 1, uncached: 1 }); // comment 1 hits; the page misses again
  });
});
