import { createStats, createSweeper, type Sweeper } from '@cachesweeper/core';
import Handlebars from 'handlebars';
import { describe, expect, it, vi } from 'vitest';
import { registerCacheSweeper, renderCached } from '../src';
import { row, setup, uncachedHandlebars } from './support';

/*
 * Issue 15: shapes of templates that ordinary apps contain, where the cached HTML
 * used to differ from what plain Handlebars renders (the block helper just rendering
 * its body). Each test failed before blocks were keyed by what they read.
 */

type HandlebarsInstance = typeof Handlebars;
type Helpers = Record<string, (this: unknown, ...args: never[]) => unknown>;

/** Renders uncached (the reference), then cold and warm through renderCached; returns all three. */
async function threeWays(source: string, context: () => unknown, helpers: Helpers = {}, partials = {}) {
  const reference = uncachedHandlebars(partials);
  for (const [name, helper] of Object.entries(helpers)) reference.registerHelper(name, helper as never);
  const expected = reference.compile(source)(context());
  const { handlebars, sweeper } = setup();
  for (const [name, helper] of Object.entries(helpers)) handlebars.registerHelper(name, helper as never);
  for (const [name, partial] of Object.entries(partials)) handlebars.registerPartial(name, partial as string);
  const template = handlebars.compile(source);
  const cold = await renderCached(template, context());
  await sweeper.idle();
  const stats = createStats();
  const warm = await renderCached(template, context(), { stats });
  return { expected, cold, warm, stats };
}

/** Renders twice with an async loader: the expected HTML both times, and the loader run once (the block was stored). */
async function expectStoredWithLoader(
  template: HandlebarsTemplateDelegate,
  sweeper: Sweeper,
  name: string,
  expected: string,
): Promise<void> {
  const load = vi.fn(async () => ({ name }));
  expect(await renderCached(template, row('A', 1, { load }))).toBe(expected);
  await sweeper.idle();
  expect(await renderCached(template, row('A', 1, { load }))).toBe(expected);
  expect(load).toHaveBeenCalledOnce();
}

/** A "deploy": a fresh instance on a sweeper (a cache) that outlives it. */
function deploy(sweeper: Sweeper, partials: Record<string, string> = {}): HandlebarsInstance {
  const handlebars = Handlebars.create();
  registerCacheSweeper(handlebars, sweeper);
  for (const [name, source] of Object.entries(partials)) handlebars.registerPartial(name, source);
  return handlebars;
}

describe('context from outside a block is part of its key', () => {
  it('the same block under two {{#with}} contexts shows each its own context, cold and warm', async () => {
    const source =
      '{{#with author}}{{#cachesweeper ../article 60}}{{name}}{{/cachesweeper}}{{/with}}|{{#with editor}}{{#cachesweeper ../article 60}}{{name}}{{/cachesweeper}}{{/with}}';
    const context = () => ({ article: row('Article', 1), author: { name: 'Ann' }, editor: { name: 'Ed' } });
    const { expected, cold, warm, stats } = await threeWays(source, context);
    expect(expected).toBe('Ann|Ed');
    expect([cold, warm]).toEqual([expected, expected]);
    expect(stats).toMatchObject({ hits: 2, misses: 0 });
  });

  it('one partial called twice with different hash arguments renders each call on a cold page', async () => {
    const { expected, cold, warm } = await threeWays(
      '{{> avatar user=me size=32}}{{> avatar user=me size=128}}',
      () => ({ me: row('User', 1, { name: 'me' }) }),
      {},
      { avatar: '{{#cachesweeper user 60}}<img alt="{{user.name}}" width="{{size}}">{{/cachesweeper}}' },
    );
    expect(expected).toBe('<img alt="me" width="32"><img alt="me" width="128">');
    expect([cold, warm]).toEqual([expected, expected]);
  });

  it('so does a partial whose block is keyed by `this`, the row its context copies', async () => {
    const { expected, cold, warm } = await threeWays(
      '{{> card size=32}}{{> card size=128}}',
      () => row('User', 1, { name: 'me' }),
      {},
      { card: '{{#cachesweeper this 60}}[{{name}} {{size}}]{{/cachesweeper}}' },
    );
    expect(expected).toBe('[me 32][me 128]');
    expect([cold, warm]).toEqual([expected, expected]);
  });

  it('an edit outside the block that changes what `this` is serves the new HTML', async () => {
    const sweeper = createSweeper();
    const context = { article: row('Article', 1), author: { name: 'Ann' }, editor: { name: 'Ed' } };
    const page = (around: string) =>
      `{{#with ${around}}}{{#cachesweeper ../article 60}}{{name}}{{/cachesweeper}}{{/with}}`;
    expect(await renderCached(deploy(sweeper).compile(page('author')), context)).toBe('Ann');
    await sweeper.idle();
    expect(await renderCached(deploy(sweeper).compile(page('editor')), context)).toBe('Ed');
  });

  it('what a block does not read is not part of its key: other outside data changing still hits', async () => {
    const { handlebars, sweeper } = setup();
    const template = handlebars.compile(
      '<h1>{{title}}</h1>{{#cachesweeper article 60 load=load}}{{#each items}}<i>{{name}}{{@index}}</i>{{/each}}{{/cachesweeper}}',
    );
    const load = async () => ({ items: [{ name: 'a' }] });
    await renderCached(template, { title: 'one', article: row('Article', 1), load });
    await sweeper.idle();
    const stats = createStats();
    const html = await renderCached(template, { title: 'two', article: row('Article', 1), load }, { stats });
    expect(html).toBe('<h1>two</h1><i>a0</i>');
    expect(stats).toMatchObject({ hits: 1, misses: 0 });
  });
});

describe('helpers that render other compiled templates', () => {
  function widgetPage(handlebars: HandlebarsInstance, inner: string) {
    const widget = handlebars.compile(inner);
    handlebars.registerHelper('widget', (child: unknown) => new handlebars.SafeString(widget(child)));
    return handlebars.compile('{{#cachesweeper this 60}}[{{widget child}}]{{/cachesweeper}}');
  }

  it('record the blocks they render in the block around them: invalidating one refreshes the page', async () => {
    const { handlebars, sweeper } = setup();
    const page = widgetPage(handlebars, '{{#cachesweeper this 60}}{{name}}{{/cachesweeper}}');
    const context = row('Page', 1, { child: row('Child', 1, { name: 'one' }) });
    expect(await renderCached(page, context)).toBe('[one]');
    await sweeper.idle();
    context.child.name = 'two';
    await sweeper.invalidate(context.child); // the page's own row is not invalidated
    expect(await renderCached(page, context)).toBe('[two]');
  });

  it('do so in a plain template(context) call too', async () => {
    const { handlebars, sweeper } = setup();
    const page = widgetPage(handlebars, '{{#cachesweeper this 60}}{{name}}{{/cachesweeper}}');
    const context = row('Page', 1, { child: row('Child', 1, { name: 'one' }) });
    expect(page(context)).toBe('[one]');
    context.child.name = 'two';
    await sweeper.invalidate(context.child);
    expect(page(context)).toBe('[two]');
  });

  it('an edited template that a helper renders never serves the old HTML', async () => {
    const sweeper = createSweeper();
    const context = row('Page', 1, { child: row('Child', 1, { name: 'c' }) });
    expect(await renderCached(widgetPage(deploy(sweeper), '<b>{{name}}</b>'), context)).toBe('[<b>c</b>]');
    await sweeper.idle();
    // The page's own key does not change (the helper is code to it); its stored copy names the old template.
    const edited = await renderCached(widgetPage(deploy(sweeper), '<i>{{name}}</i>'), context);
    expect(edited).toBe('[<i>c</i>]');
    await sweeper.idle();
    // Once stored again, the edited deploy is served from the cache.
    const again = createStats();
    expect(await renderCached(widgetPage(deploy(sweeper), '<i>{{name}}</i>'), context, { stats: again })).toBe(
      '[<i>c</i>]',
    );
    expect(again).toMatchObject({ hits: 1, renders: 0 });
  });
});

describe('plain template(context) calls', () => {
  it('key a block by the runtime partials it calls', () => {
    const { handlebars } = setup();
    const template = handlebars.compile('{{#cachesweeper this 60}}{{> p}}{{/cachesweeper}}');
    expect(template(row('A', 1), { partials: { p: 'one' } })).toBe('one');
    expect(template(row('A', 1), { partials: { p: 'two' } })).toBe('two');
  });

  it('key a block in a partial by the inline partial the top-level template declares', () => {
    const { handlebars } = setup();
    handlebars.registerPartial('list', '{{#cachesweeper this 60}}{{> row}}{{/cachesweeper}}');
    const first = handlebars.compile('{{#*inline "row"}}one{{/inline}}{{> list}}');
    const second = handlebars.compile('{{#*inline "row"}}two{{/inline}}{{> list}}');
    expect([first(row('A', 1)), second(row('A', 1))]).toEqual(['one', 'two']);
  });
});

describe('helpers that transform their block, with asynchronous loaders', () => {
  const shout = function (this: unknown, options: { fn(context: unknown): string }) {
    return options.fn(this).toUpperCase();
  };

  it('an unaware helper around a block with an async loader renders the page, and stores the block', async () => {
    const { handlebars, sweeper } = setup({ register: { onFallback: () => {} } });
    handlebars.registerHelper('shout', shout);
    const template = handlebars.compile(
      '{{#shout}}{{#cachesweeper this 60 load=load}}{{name}}{{/cachesweeper}}{{/shout}}',
    );
    await expectStoredWithLoader(template, sweeper, 'quiet', 'QUIET');
  });

  it('so does a render with the runtime option data: false', async () => {
    const { handlebars } = setup({ register: { onFallback: () => {} } });
    handlebars.registerHelper('shout', shout);
    const template = handlebars.compile(
      '{{#shout}}{{#cachesweeper this 60 load=load}}{{name}}{{/cachesweeper}}{{/shout}}',
    );
    expect(await renderCached(template, row('A', 1, { load: async () => ({ name: 'x' }) }), { data: false })).toBe('X');
  });

  it('a template compiled with data: false still defers its blocks and awaits their loaders', async () => {
    const { handlebars, sweeper } = setup();
    const template = handlebars.compile('{{#cachesweeper this 60 load=load}}{{name}}{{/cachesweeper}}', {
      data: false,
    });
    await expectStoredWithLoader(template, sweeper, 'x', 'x');
  });

  it.each([
    [
      'lower-casing',
      (html: string) => html.toLowerCase(),
      '<P>{{#cachesweeper this 60}}{{name}}{{/cachesweeper}}</P>',
      'LOUD',
      '<p>loud</p>',
    ],
    [
      'whitespace-collapsing',
      (html: string) => html.replace(/\s+/g, ' '),
      '{{#cachesweeper this 60}}<ul>\n  <li>{{name}}</li>\n</ul>{{/cachesweeper}}',
      'x',
      '<ul> <li>x</li> </ul>',
    ],
  ])('a %s helper sees the block it wraps', async (_, rewrite, body, name, html) => {
    const rewriting = function (this: unknown, options: { fn(context: unknown): string }) {
      return rewrite(options.fn(this));
    };
    const { expected, cold, warm } = await threeWays(
      `{{#rewriting}}${body}{{/rewriting}}`,
      () => row('A', 1, { name }),
      { rewriting },
    );
    expect(expected).toBe(html);
    expect([cold, warm]).toEqual([expected, expected]);
  });
});

describe('context mutated while the template runs', () => {
  it('a block shows what an assign helper set before it, not what it set last', async () => {
    const assign = function (this: unknown, key: string, value: unknown, options: { data: { root: object } }) {
      (options.data.root as Record<string, unknown>)[key] = value;
      return '';
    };
    const { expected, cold, warm } = await threeWays(
      '{{#each items}}{{assign "current" name}}{{#cachesweeper this 60}}[{{@root.current}}]{{/cachesweeper}}{{/each}}',
      () => ({ items: [row('Item', 1, { name: 'a' }), row('Item', 2, { name: 'b' })] }),
      { assign },
    );
    expect(expected).toBe('[a][b]');
    expect([cold, warm]).toEqual([expected, expected]);
  });

  it.each([
    ['renders each block with its own item', '{{#cachesweeper this 60}}'],
    ['does so for a block whose load= is undefined where it sits', '{{#cachesweeper this 60 load=missing}}'],
    ["starts each block's loader with its own item", '{{#cachesweeper this 60 load=@root.load}}'],
  ])('a loop helper that reuses one object %s', async (_, open) => {
    const items = [row('Item', 1, { name: 'a' }), row('Item', 2, { name: 'b' })];
    const load = (target: { id: number }) => items.find((item) => item.id === target.id);
    const { expected, cold, warm } = await threeWays(
      `{{#loop items}}${open}<{{name}}>{{/cachesweeper}}{{/loop}}`,
      () => ({ items, load }),
      { loop: reusingLoop },
    );
    expect(expected).toBe('<a><b>');
    expect([cold, warm]).toEqual([expected, expected]);
  });
});

/** A loop helper that renders every item through one object, overwritten for each. */
function reusingLoop(this: unknown, items: object[], options: { fn(context: unknown): string }): string {
  const shared: Record<string, unknown> = {};
  return items.map((item) => options.fn(Object.assign(shared, item))).join('');
}

describe('shapes that cannot be supported', () => {
  it('the compat compile option is refused with a clear error', () => {
    const { handlebars } = setup();
    expect(() => handlebars.compile('{{#cachesweeper this 60}}{{x}}{{/cachesweeper}}', { compat: true })).toThrow(
      /\[cachesweeper\] \[handlebars\] compile option compat: true is not supported/,
    );
  });

  it('a block calling a partial function this instance did not compile renders uncached, and says why', async () => {
    const onFallback = vi.fn();
    const { handlebars, sweeper } = setup({ register: { onFallback } });
    handlebars.registerPartial('foreign', (context: { name: string }) => `<${context.name}>`);
    const template = handlebars.compile('{{#cachesweeper this 60}}{{> foreign}}{{/cachesweeper}}');
    expect(await renderCached(template, row('A', 1, { name: 'a' }))).toBe('<a>');
    await sweeper.idle();
    expect(await renderCached(template, row('A', 1, { name: 'b' }))).toBe('<b>');
    expect(onFallback.mock.calls[0]?.[0].message).toMatch(
      /\{\{#cachesweeper\}\} at line 1, column 1: cannot tell what it shows from outside itself: partial "foreign" was not compiled by this Handlebars instance/,
    );
  });
});
