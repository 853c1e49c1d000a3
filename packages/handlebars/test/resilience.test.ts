import { type CacheBackend, createStats, memoryBackend, versionKey } from '@cachesweeper/core';
import { describe, expect, it, vi } from 'vitest';
import { renderCached } from '../src';
import { brokenBackend, row, setup, sleep } from './support';

const nested =
  '{{#cachesweeper this 60}}<h1>{{title}}</h1>{{#each comments}}{{#cachesweeper this 60}}<p>{{text}}{{#each replies}}{{#cachesweeper this 60}}<i>{{text}}</i>{{/cachesweeper}}{{/each}}</p>{{/cachesweeper}}{{/each}}{{/cachesweeper}}';
const page = row('Article', 1, {
  title: 'T',
  comments: [row('Comment', 1, { text: 'c1', replies: [row('Reply', 1, { text: 'r1' })] })],
});
const expected = '<h1>T</h1><p>c1<i>r1</i></p>';

describe('a broken backend never fails a page', () => {
  it('a backend that refuses every call: the page renders uncached and the error is reported', async () => {
    const onError = vi.fn();
    const { handlebars } = setup({ backend: brokenBackend('fail'), sweeper: { onError } });
    const stats = createStats();
    expect(await renderCached(handlebars.compile(nested), page, { stats })).toBe(expected);
    expect(stats).toMatchObject({ uncached: 3, hits: 0, errors: 1, roundTrips: 1 });
    expect(onError).toHaveBeenCalledOnce();
  });

  it('a backend that never answers: the page renders uncached within one deadline, not one per level', async () => {
    const { handlebars } = setup({ backend: brokenBackend('hang'), sweeper: { timeoutMs: 100 } });
    const stats = createStats();
    const started = performance.now();
    expect(await renderCached(handlebars.compile(nested), page, { stats })).toBe(expected);
    const elapsed = performance.now() - started;
    expect(stats).toMatchObject({ uncached: 3, roundTrips: 1, errors: 1 });
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(2000); // the 100 ms deadline, plus generous slack for a busy machine
  });

  it('concurrent pages during an outage share each uncached block render and its loader', async () => {
    const { handlebars } = setup({ backend: brokenBackend('fail') });
    let loads = 0;
    const load = async () => {
      loads += 1;
      await sleep(20);
      return { title: 'T', comments: [] };
    };
    const template = handlebars.compile('{{#cachesweeper this 60 load=load}}<h1>{{title}}</h1>{{/cachesweeper}}');
    const context = row('Article', 1, { load });
    const pages = await Promise.all(Array.from({ length: 50 }, () => renderCached(template, context)));
    expect(new Set(pages)).toEqual(new Set(['<h1>T</h1>']));
    expect(loads).toBe(1);
  });

  it('a backend that fails its writes: pages still render right, and later renders stay correct', async () => {
    const inner = memoryBackend();
    const backend: CacheBackend = { ...inner, setMany: () => Promise.reject(new Error('disk full')) };
    const { handlebars, sweeper } = setup({ backend });
    const template = handlebars.compile(nested);
    expect(await renderCached(template, page)).toBe(expected);
    await sweeper.idle();
    expect(await renderCached(template, page)).toBe(expected);
    expect(sweeper.stats().errors).toBeGreaterThan(0);
  });
});

describe('the stale-set race', () => {
  /** A backend that runs `write` once, around the first read of version tokens of a page. */
  function racingBackend(when: 'before token read' | 'after token read', write: () => Promise<void>) {
    const inner = memoryBackend();
    let armed = false;
    const backend: CacheBackend = {
      ...inner,
      getMany: async (keys) => {
        const racing = armed && keys.some((key) => key.endsWith(':Article:=1'));
        if (racing) armed = false;
        if (racing && when === 'before token read') await write();
        const values = await inner.getMany(keys);
        if (racing && when === 'after token read') await write();
        return values;
      },
    };
    return { backend, arm: () => (armed = true), inner };
  }

  async function scenario(when: 'before token read' | 'after token read', withLoader: boolean) {
    const db = { title: 'old' };
    const race = racingBackend(when, async () => {
      db.title = 'new'; // the writer commits, then its after-commit hook bumps the counter
      await race.inner.incr(versionKey('cs', 'Article', 1), 1);
    });
    const { handlebars, sweeper } = setup({ backend: race.backend });
    const template = handlebars.compile(
      withLoader
        ? '{{#cachesweeper article 600 load=loadArticle}}{{title}}{{/cachesweeper}}'
        : '{{#cachesweeper article 600}}{{article.title}}{{/cachesweeper}}',
    );
    const request = () => {
      // Without a loader, the request reads the row before the template runs.
      const article = row('Article', 1, withLoader ? {} : { ...db });
      return renderCached(template, { article, loadArticle: async () => ({ ...db }) });
    };
    await request(); // creates the counter
    await sweeper.idle();
    await sweeper.invalidate(row('Article', 1));
    race.arm();
    await request(); // the write races this render
    await sweeper.idle();
    return request(); // what every later visitor sees
  }

  it('with a loader, a write between the token read and the load is seen by the next render', async () => {
    expect(await scenario('after token read', true)).toBe('new');
  });

  it('with a loader, a write before the token read is seen by the next render', async () => {
    expect(await scenario('before token read', true)).toBe('new');
  });

  it('without a loader, a write between loading the row and reading its token is hidden (why loaders exist)', async () => {
    expect(await scenario('before token read', false)).toBe('old');
  });
});

describe('read-only sessions', () => {
  it('a page rendered with a store: false session reads the cache but writes nothing', async () => {
    const { handlebars, sweeper } = setup();
    const template = handlebars.compile('{{#cachesweeper this 60}}{{name}}{{/cachesweeper}}');
    const context = row('A', 1, { name: 'uncommitted' });
    expect(await renderCached(template, context, { session: sweeper.session({ store: false }) })).toBe('uncommitted');
    await sweeper.idle();
    expect(sweeper.stats()).toMatchObject({ misses: 1, stores: 0 });
  });

  it('a failing loader in a store: false session fails the page without an unhandled rejection', async () => {
    const { handlebars, sweeper } = setup();
    const template = handlebars.compile(
      '{{#cachesweeper this 60}}{{#cachesweeper child 60 load=load}}x{{/cachesweeper}}{{/cachesweeper}}',
    );
    const context = row('A', 1, { child: row('B', 2), load: () => Promise.reject(new Error('db down')) });
    await expect(renderCached(template, context, { session: sweeper.session({ store: false }) })).rejects.toThrow(
      'db down',
    );
  });
});
