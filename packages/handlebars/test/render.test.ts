import { createStats } from '@cachesweeper/core';
import { describe, expect, it, vi } from 'vitest';
import { renderCached, transformBlockOutput } from '../src';
import { row, setup, sleep, uncachedHandlebars } from './support';

/** Renders `source` uncached (reference), then cold and warm through renderCached; all three must agree. */
async function expectSameAsUncached(source: string, context: unknown, partials: Record<string, string> = {}) {
  const expected = uncachedHandlebars(partials).compile(source)(context);
  const { handlebars, sweeper } = setup();
  for (const [name, partial] of Object.entries(partials)) handlebars.registerPartial(name, partial);
  const template = handlebars.compile(source);
  const coldStats = createStats();
  const cold = await renderCached(template, context, { stats: coldStats });
  await sweeper.idle();
  const warmStats = createStats();
  const warm = await renderCached(template, context, { stats: warmStats });
  expect(cold).toBe(expected);
  expect(warm).toBe(expected);
  expect(coldStats.misses).toBeGreaterThan(0);
  expect(warmStats.misses).toBe(0);
  return expected;
}

const tree = {
  model: 'Page',
  id: 0,
  title: 'Root & <title>',
  items: [
    {
      model: 'Item',
      id: 1,
      name: 'one <b>',
      tags: { a: 'x', b: 'y' },
      children: [{ model: 'Item', id: 11, name: 'eleven' }],
    },
    { model: 'Item', id: 2, name: 'two "quoted"', tags: { c: 'z' }, children: [] },
    { model: 'Item', id: 3, name: "three 'apos'", tags: {}, children: [{ model: 'Item', id: 31, name: 'x' }] },
  ],
};

describe('a deferred block renders exactly as inline', () => {
  it('with @index, @first, @last and escaping', async () => {
    await expectSameAsUncached(
      '{{#each items}}{{#cachesweeper this 60 "i"}}[{{@index}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}} {{name}} {{{name}}}]{{/cachesweeper}}{{/each}}',
      tree,
    );
  });

  it('with @key of an object loop and @../index of the enclosing loop', async () => {
    await expectSameAsUncached(
      '{{#each items}}{{#each tags}}{{#cachesweeper ../this 60 @key}}{{@key}}={{this}}@{{@index}}/{{@../index}};{{/cachesweeper}}{{/each}}{{/each}}',
      tree,
    );
  });

  it('with block params of an enclosing loop and ../ and @root', async () => {
    await expectSameAsUncached(
      '{{#each items as |item i|}}{{#each item.children as |child|}}{{#cachesweeper child 60}}{{child.name}} of {{item.name}} ({{i}}) in {{../name}} / {{@root.title}}{{/cachesweeper}}{{/each}}{{/each}}',
      tree,
    );
  });

  it('with a block param of its own: the target', async () => {
    await expectSameAsUncached('{{#cachesweeper items.[0] 60 as |it|}}{{it.name}}|{{title}}{{/cachesweeper}}', tree);
  });

  it('with partials and nested blocks inside', async () => {
    await expectSameAsUncached(
      '{{#cachesweeper this 60}}<h1>{{title}}</h1>{{#each items}}{{> item}}{{/each}}{{/cachesweeper}}',
      tree,
      { item: '<li>{{#cachesweeper this 60}}{{name}}{{#each children}}{{> item}}{{/each}}{{/cachesweeper}}</li>' },
    );
  });

  it('in standalone, indented partials (their indentation reaches the spliced lines)', async () => {
    await expectSameAsUncached('<ul>\n  {{#each items}}\n    {{> item}}\n  {{/each}}\n</ul>\n', tree, {
      item: '{{#cachesweeper this 60}}\n<li>\n  {{name}}\n</li>\n{{/cachesweeper}}\n',
    });
  });

  it('with an inline partial declared outside the block', async () => {
    await expectSameAsUncached(
      '{{#*inline "row"}}<i>{{name}}</i>{{/inline}}{{#each items}}{{#cachesweeper this 60}}{{> row}}{{/cachesweeper}}{{/each}}',
      tree,
    );
  });

  it('inside a layout partial, around its @partial-block', async () => {
    await expectSameAsUncached('{{#> layout}}{{#each items}}<p>{{name}}</p>{{/each}}{{/layout}}', tree, {
      layout: '<main>{{#cachesweeper this 60 "layout"}}<h1>{{title}}</h1>{{> @partial-block}}{{/cachesweeper}}</main>',
    });
  });

  it('with whitespace control around and inside the block', async () => {
    await expectSameAsUncached(
      '<ul>\n  {{~#each items~}}\n    {{~#cachesweeper this 60~}}\n      <li> {{name}} </li>\n    {{~/cachesweeper~}}\n  {{~/each~}}\n</ul>',
      tree,
    );
  });
});

describe('hits and misses', () => {
  it('a hit of an outer block skips its inner blocks and their loaders', async () => {
    const { handlebars, sweeper } = setup();
    const loadItem = vi.fn(async (target: { id: number }) => ({ name: `item ${target.id}` }));
    const template = handlebars.compile(
      '{{#cachesweeper this 60}}{{#each items}}{{#cachesweeper this 60 load=../loadItem}}{{name}}{{/cachesweeper}}{{/each}}{{/cachesweeper}}',
    );
    const context = { ...tree, loadItem };
    const cold = await renderCached(template, context);
    await sweeper.idle();
    expect(loadItem).toHaveBeenCalledTimes(3);
    const stats = createStats();
    expect(await renderCached(template, context, { stats })).toBe(cold);
    expect(loadItem).toHaveBeenCalledTimes(3);
    expect(stats).toMatchObject({ hits: 1, misses: 0 });
  });

  it('loaders run only on misses and their result becomes the block context', async () => {
    const { handlebars, sweeper } = setup();
    const load = vi.fn(async (target: { id: number }) => ({ title: `Article ${target.id}` }));
    const template = handlebars.compile(
      '{{#cachesweeper article 60 "page" load=load}}<h1>{{title}}</h1>{{/cachesweeper}}',
    );
    const context = { article: row('Article', 7), load };
    expect(await renderCached(template, context)).toBe('<h1>Article 7</h1>');
    await sweeper.idle();
    expect(await renderCached(template, context)).toBe('<h1>Article 7</h1>');
    expect(load).toHaveBeenCalledTimes(1);
    await sweeper.invalidate(row('Article', 7));
    expect(await renderCached(template, context)).toBe('<h1>Article 7</h1>');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('a loader runs after the block token was read', async () => {
    const { handlebars, backend } = setup();
    const events: string[] = [];
    const getMany = backend.getMany.bind(backend);
    backend.getMany = (keys) => {
      events.push(`read ${keys.length}`);
      return getMany(keys);
    };
    const template = handlebars.compile('{{#cachesweeper article 60 load=load}}{{title}}{{/cachesweeper}}');
    await renderCached(template, {
      article: row('Article', 7),
      load: () => {
        events.push('load');
        return { title: 't' };
      },
    });
    expect(events.indexOf('load')).toBeGreaterThan(events.indexOf('read 1'));
  });

  it('with a block param, the loaded data is the param and this stays the context', async () => {
    const { handlebars } = setup();
    const template = handlebars.compile(
      '{{#cachesweeper article 60 load=load as |page|}}{{page.title}} / {{site}}{{/cachesweeper}}',
    );
    const html = await renderCached(template, {
      site: 'Blog',
      article: row('Article', 1),
      load: () => ({ title: 'T' }),
    });
    expect(html).toBe('T / Blog');
  });

  it('a named loader from the registration can be used', async () => {
    const { handlebars } = setup({
      register: { loaders: { page: async (target) => ({ title: `#${(target as { id: number }).id}` }) } },
    });
    const template = handlebars.compile('{{#cachesweeper this 60 load="page"}}{{title}}{{/cachesweeper}}');
    expect(await renderCached(template, row('Article', 5))).toBe('#5');
  });

  it('loaders of all misses of a level start before any of them settles', async () => {
    const { handlebars } = setup();
    let running = 0;
    let most = 0;
    const load = async (target: { id: number }) => {
      running++;
      most = Math.max(most, running);
      await sleep(5);
      running--;
      return { name: `n${target.id}` };
    };
    const template = handlebars.compile(
      '{{#each items}}{{#cachesweeper this 60 load=../load}}{{name}}{{/cachesweeper}}{{/each}}',
    );
    expect(await renderCached(template, { ...tree, load })).toBe('n1n2n3');
    expect(most).toBe(3);
  });

  it('a batching loader answers every miss of a level with one batch, one batch per level', async () => {
    const { handlebars } = setup();
    const batches: number[][] = [];
    // A DataLoader-style batcher: calls of one turn of the event loop share one "query".
    let pending: { id: number; resolve: (row: object) => void }[] = [];
    const loadRow = (target: { id: number }) =>
      new Promise<object>((resolve) => {
        if (pending.length === 0) {
          process.nextTick(() => {
            const batch = pending;
            pending = [];
            batches.push(batch.map((entry) => entry.id));
            for (const entry of batch) entry.resolve({ name: `row ${entry.id}`, children: childrenOf(entry.id) });
          });
        }
        pending.push({ id: target.id, resolve });
      });
    const childrenOf = (id: number) => (id < 10 ? [1, 2, 3].map((n) => row('Row', id * 10 + n)) : []);
    const template = handlebars.compile(
      '{{#cachesweeper this 60 load=@root.loadRow}}[{{name}}{{#each children}}{{#cachesweeper this 60 load=@root.loadRow}}({{name}}){{/cachesweeper}}{{/each}}]{{/cachesweeper}}',
    );
    const html = await renderCached(template, row('Row', 1, { loadRow }));
    expect(html).toBe('[row 1(row 11)(row 12)(row 13)]');
    expect(batches).toEqual([[1], [11, 12, 13]]);
  });

  it('a loader error fails the render like an uncached render would', async () => {
    const { handlebars } = setup();
    const template = handlebars.compile('{{#cachesweeper this 60 load=load}}x{{/cachesweeper}}');
    await expect(
      renderCached(template, row('A', 1, { load: () => Promise.reject(new Error('db down')) })),
    ).rejects.toThrow('db down');
  });

  it('an invalidation re-renders only the invalidated block', async () => {
    const { handlebars, sweeper } = setup();
    const template = handlebars.compile('{{#each items}}{{#cachesweeper this 60}}{{name}};{{/cachesweeper}}{{/each}}');
    await renderCached(template, tree);
    await sweeper.idle();
    const changed = structuredClone(tree);
    for (const item of changed.items) item.name = 'changed';
    await sweeper.invalidate(row('Item', 2));
    const stats = createStats();
    expect(await renderCached(template, changed, { stats })).toBe('one &lt;b&gt;;changed;three &#x27;apos&#x27;;');
    expect(stats).toMatchObject({ hits: 2, misses: 1, renders: 1 });
  });
});

describe('concurrency', () => {
  it('concurrent renders of one template never mix their blocks', async () => {
    const { handlebars } = setup();
    const template = handlebars.compile('{{#each items}}{{#cachesweeper this 60}}{{name}}{{/cachesweeper}},{{/each}}');
    const contexts = Array.from({ length: 20 }, (_, page) => ({
      items: Array.from({ length: 5 }, (_, index) => row('Item', page * 100 + index, { name: `p${page}i${index}` })),
    }));
    const pages = await Promise.all(contexts.map((context) => renderCached(template, context)));
    pages.forEach((html, page) => {
      expect(html).toBe(contexts[page]?.items.map((item) => `${item.name},`).join(''));
    });
  });

  it('concurrent misses of one fragment render it once', async () => {
    const { handlebars, sweeper } = setup();
    const load = vi.fn(async () => {
      await sleep(10);
      return { title: 'T' };
    });
    const template = handlebars.compile('{{#cachesweeper this 60 load=load}}{{title}}{{/cachesweeper}}');
    const context = row('Article', 1, { load });
    const pages = await Promise.all(Array.from({ length: 10 }, () => renderCached(template, context)));
    expect(pages).toEqual(Array(10).fill('T'));
    expect(load).toHaveBeenCalledTimes(1);
    expect(sweeper.stats()).toMatchObject({ misses: 10, renders: 1 });
  });

  it('a deferred block uses the helpers of its own render, not of a concurrent one', async () => {
    const { handlebars } = setup();
    const template = handlebars.compile('{{#cachesweeper this 60 load=load}}{{greet}}{{/cachesweeper}}');
    const slow = row('A', 1, { load: () => sleep(10).then(() => ({})) });
    const fast = row('A', 2, { load: () => ({}) });
    const [first, second] = await Promise.all([
      renderCached(template, slow, { helpers: { greet: () => 'first' } }),
      renderCached(template, fast, { helpers: { greet: () => 'second' } }),
    ]);
    expect([first, second]).toEqual(['first', 'second']);
  });

  it('a block nested in a block with the same key renders without waiting for itself', async () => {
    const { handlebars } = setup();
    handlebars.registerPartial(
      'node',
      '{{#cachesweeper @root.owner 60}}[{{name}}{{#each children}}{{> node}}{{/each}}]{{/cachesweeper}}',
    );
    const template = handlebars.compile('{{> node}}');
    const context = { owner: row('Owner', 1), name: 'a', children: [{ name: 'b', children: [] }] };
    expect(await renderCached(template, context)).toBe('[a[b]]');
  });
});

describe('helpers that transform a block', () => {
  it('transformBlockOutput applies the transform once the cached blocks inside are resolved', async () => {
    const { handlebars, sweeper } = setup();
    handlebars.registerHelper(
      'shout',
      function (this: unknown, options: { fn(context: unknown): string; data?: unknown }) {
        return transformBlockOutput(options, options.fn(this), (html) => html.toUpperCase());
      },
    );
    const template = handlebars.compile(
      '{{#shout}}{{#each items}}{{#cachesweeper this 60}}{{name}}{{/cachesweeper}}{{/each}}{{/shout}}',
    );
    const expected = uncachedHandlebars().compile('{{#each items}}{{name}}{{/each}}')(tree).toUpperCase();
    expect(await renderCached(template, tree)).toBe(expected);
    await sweeper.idle();
    expect(await renderCached(template, tree)).toBe(expected);
  });

  it('an unaware transforming helper is called again once its cached blocks are resolved, and is reported', async () => {
    const onFallback = vi.fn();
    const { handlebars, sweeper } = setup({ register: { onFallback } });
    handlebars.registerHelper('shout', function (this: unknown, options: { fn(context: unknown): string }) {
      return options.fn(this).toUpperCase();
    });
    const template = handlebars.compile('{{#shout}}{{#cachesweeper this 60}}{{name}}{{/cachesweeper}}{{/shout}}');
    expect(await renderCached(template, row('A', 1, { name: 'quiet' }))).toBe('QUIET');
    expect(onFallback).toHaveBeenCalledOnce();
    expect(onFallback.mock.calls[0]?.[0].message).toMatch(
      /\{\{#shout\}\} at line 1, column 1: changed the output of the cached blocks in it .* wrap it with transformBlockOutput/,
    );
    await sweeper.idle();
    const stats = createStats();
    expect(await renderCached(template, row('A', 1, { name: 'changed, not invalidated' }), { stats })).toBe('QUIET');
    expect(stats).toMatchObject({ hits: 1, misses: 0 });
  });

  it('an unaware helper inside a missed block is called again there, and the block around it is stored', async () => {
    const onFallback = vi.fn();
    const { handlebars, sweeper } = setup({ register: { onFallback } });
    handlebars.registerHelper('shout', function (this: unknown, options: { fn(context: unknown): string }) {
      return options.fn(this).toUpperCase();
    });
    const template = handlebars.compile(
      '{{#cachesweeper this 60}}<{{#shout}}{{#cachesweeper child 60}}{{name}}{{/cachesweeper}}{{/shout}}>{{/cachesweeper}}',
    );
    const context = row('A', 1, { name: 'a', child: row('B', 2) });
    expect(await renderCached(template, context)).toBe('<A>');
    await sweeper.idle();
    const stats = createStats();
    expect(await renderCached(template, context, { stats })).toBe('<A>');
    expect(stats).toMatchObject({ hits: 1, misses: 0 });
    expect(onFallback).toHaveBeenCalledOnce();
  });
});

describe('pages that nest the same fragments in opposite orders', () => {
  it('render concurrently without waiting for each other forever', async () => {
    const { handlebars } = setup();
    // The same block keys nested both ways round: x around y on one page, y around x on the other.
    handlebars.registerPartial(
      'px',
      '{{#cachesweeper @root.x 60}}<x>{{#if nest}}{{> (lookup @root "second") leaf}}{{/if}}</x>{{/cachesweeper}}',
    );
    handlebars.registerPartial(
      'py',
      '{{#cachesweeper @root.y 60}}<y>{{#if nest}}{{> (lookup @root "second") leaf}}{{/if}}</y>{{/cachesweeper}}',
    );
    const template = handlebars.compile('{{> (lookup . "first")}}');
    const common = { x: row('X', 1), y: row('Y', 1), nest: true, leaf: {} };
    const both = Promise.all([
      renderCached(template, { ...common, first: 'px', second: 'py' }),
      renderCached(template, { ...common, first: 'py', second: 'px' }),
    ]);
    const outcome = await Promise.race([both, sleep(3000).then(() => 'still waiting after 3 s')]);
    expect(outcome).toEqual(['<x><y></y></x>', '<y><x></x></y>']);
  });
});
