import { createStats, createSweeper, type Sweeper } from '@cachesweeper/core';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { registerCacheSweeper, renderCached } from '../src';
import { row } from './support';

/** A "deploy": a fresh Handlebars instance with these partials, on a sweeper (cache) that outlives it. */
function deploy(sweeper: Sweeper, partials: Record<string, string> = {}) {
  const handlebars = Handlebars.create();
  registerCacheSweeper(handlebars, sweeper);
  for (const [name, source] of Object.entries(partials)) handlebars.registerPartial(name, source);
  return handlebars;
}

/** Renders `source` and reports whether its blocks hit. */
async function render(
  sweeper: Sweeper,
  handlebars: ReturnType<typeof deploy>,
  source: string,
  context: unknown,
  options = {},
) {
  const stats = createStats();
  const html = await renderCached(handlebars.compile(source), context, { ...options, stats });
  await sweeper.idle();
  return { html, hits: stats.hits, misses: stats.misses };
}

const context = row('Article', 1, { title: 'T', comments: [row('Comment', 1, { text: 'c' })] });

describe('the template is part of the key', () => {
  it('editing a block serves the new HTML at once', async () => {
    const sweeper = createSweeper();
    await render(sweeper, deploy(sweeper), '{{#cachesweeper this 60}}<h1>{{title}}</h1>{{/cachesweeper}}', context);
    const edited = await render(
      sweeper,
      deploy(sweeper),
      '{{#cachesweeper this 60}}<h2>{{title}}</h2>{{/cachesweeper}}',
      context,
    );
    expect(edited).toEqual({ html: '<h2>T</h2>', hits: 0, misses: 1 });
  });

  it('editing outside a block keeps its fragment', async () => {
    const sweeper = createSweeper();
    await render(sweeper, deploy(sweeper), 'a{{#cachesweeper this 60}}{{title}}{{/cachesweeper}}', context);
    const edited = await render(
      sweeper,
      deploy(sweeper),
      'b{{#cachesweeper this 60}}{{title}}{{/cachesweeper}}',
      context,
    );
    expect(edited).toEqual({ html: 'bT', hits: 1, misses: 0 });
  });

  it('editing an inner block changes the key of the block around it', async () => {
    const sweeper = createSweeper();
    const source = (tag: string) =>
      `{{#cachesweeper this 60}}{{#each comments}}{{#cachesweeper this 60}}<${tag}>{{text}}</${tag}>{{/cachesweeper}}{{/each}}{{/cachesweeper}}`;
    await render(sweeper, deploy(sweeper), source('p'), context);
    const edited = await render(sweeper, deploy(sweeper), source('li'), context);
    expect(edited).toEqual({ html: '<li>c</li>', hits: 0, misses: 2 });
  });

  it('editing a partial that a block calls serves the new HTML', async () => {
    const sweeper = createSweeper();
    const source = '{{#cachesweeper this 60}}{{#each comments}}{{> comment}}{{/each}}{{/cachesweeper}}';
    await render(sweeper, deploy(sweeper, { comment: '<p>{{text}}</p>' }), source, context);
    const edited = await render(sweeper, deploy(sweeper, { comment: '<li>{{text}}</li>' }), source, context);
    expect(edited).toEqual({ html: '<li>c</li>', hits: 0, misses: 1 });
  });

  it('editing a partial reached through another partial serves the new HTML', async () => {
    const sweeper = createSweeper();
    const source = '{{#cachesweeper this 60}}{{> outer}}{{/cachesweeper}}';
    await render(sweeper, deploy(sweeper, { outer: '[{{> inner}}]', inner: 'one' }), source, context);
    const edited = await render(sweeper, deploy(sweeper, { outer: '[{{> inner}}]', inner: 'two' }), source, context);
    expect(edited).toEqual({ html: '[two]', hits: 0, misses: 1 });
  });

  it('editing a partial passed to the render call serves the new HTML', async () => {
    const sweeper = createSweeper();
    const handlebars = deploy(sweeper);
    const source = '{{#cachesweeper this 60}}{{> comment}}{{/cachesweeper}}';
    await render(sweeper, handlebars, source, context, { partials: { comment: handlebars.compile('one') } });
    const edited = await render(sweeper, handlebars, source, context, {
      partials: { comment: handlebars.compile('two') },
    });
    expect(edited).toEqual({ html: 'two', hits: 0, misses: 1 });
  });

  it('editing an inline partial declared outside the block serves the new HTML', async () => {
    const sweeper = createSweeper();
    const source = (body: string) =>
      `{{#*inline "row"}}${body}{{/inline}}{{#cachesweeper this 60}}{{> row}}{{/cachesweeper}}`;
    await render(sweeper, deploy(sweeper), source('one'), context);
    const edited = await render(sweeper, deploy(sweeper), source('two'), context);
    expect(edited).toEqual({ html: 'two', hits: 0, misses: 1 });
  });

  it('editing the content a view passes to a partial block serves the new HTML', async () => {
    const sweeper = createSweeper();
    const partials = { card: '{{#cachesweeper this 60}}<div>{{> @partial-block}}</div>{{/cachesweeper}}' };
    await render(sweeper, deploy(sweeper, partials), '{{#> card}}one{{/card}}', context);
    const edited = await render(sweeper, deploy(sweeper, partials), '{{#> card}}two{{/card}}', context);
    expect(edited).toEqual({ html: '<div>two</div>', hits: 0, misses: 1 });
  });

  it('a block that calls no partial keeps its fragment when a partial changes', async () => {
    const sweeper = createSweeper();
    const source = '{{#cachesweeper this 60}}{{title}}{{/cachesweeper}}{{> footer}}';
    await render(sweeper, deploy(sweeper, { footer: 'one' }), source, context);
    const edited = await render(sweeper, deploy(sweeper, { footer: 'two' }), source, context);
    expect(edited).toEqual({ html: 'Ttwo', hits: 1, misses: 0 });
  });

  it('the same block source in a partial shares one fragment across pages', async () => {
    const sweeper = createSweeper();
    const handlebars = deploy(sweeper, { comment: '{{#cachesweeper this 60}}<p>{{text}}</p>{{/cachesweeper}}' });
    await render(sweeper, handlebars, '<main>{{#each comments}}{{> comment}}{{/each}}</main>', context);
    const other = await render(sweeper, handlebars, '<aside>{{#each comments}}{{> comment}}{{/each}}</aside>', context);
    expect(other).toEqual({ html: '<aside><p>c</p></aside>', hits: 1, misses: 0 });
  });

  it('digest= adds to the key', async () => {
    const sweeper = createSweeper();
    const handlebars = deploy(sweeper);
    await render(sweeper, handlebars, '{{#cachesweeper this 60 digest="v1"}}{{title}}{{/cachesweeper}}', context);
    const bumped = await render(
      sweeper,
      handlebars,
      '{{#cachesweeper this 60 digest="v2"}}{{title}}{{/cachesweeper}}',
      context,
    );
    expect(bumped.misses).toBe(1);
  });

  it('a template edited while the process runs (express-handlebars without its cache) gets a new key', async () => {
    const sweeper = createSweeper();
    const handlebars = deploy(sweeper);
    await render(sweeper, handlebars, '{{#cachesweeper this 60}}one{{/cachesweeper}}', context);
    const edited = await render(sweeper, handlebars, '{{#cachesweeper this 60}}two{{/cachesweeper}}', context);
    expect(edited).toEqual({ html: 'two', hits: 0, misses: 1 });
  });

  it('one partial block called twice for one target with different content keeps both apart', async () => {
    const sweeper = createSweeper();
    const handlebars = deploy(sweeper, {
      card: '{{#cachesweeper this 60}}<div>{{> @partial-block}}</div>{{/cachesweeper}}',
    });
    const source = '{{#> card}}one{{/card}}{{#> card}}two{{/card}}';
    expect((await render(sweeper, handlebars, source, context)).html).toBe('<div>one</div><div>two</div>');
    expect(await render(sweeper, handlebars, source, context)).toEqual({
      html: '<div>one</div><div>two</div>',
      hits: 2,
      misses: 0,
    });
  });

  it('the same block text that Handlebars strips differently as a standalone line gets its own key', async () => {
    const sweeper = createSweeper();
    const handlebars = deploy(sweeper);
    const block = '{{#cachesweeper this 60}}\n{{title}}\n{{/cachesweeper}}';
    const inline = await render(sweeper, handlebars, `x${block}x`, context);
    const standalone = await render(sweeper, handlebars, `x\n${block}\nx`, context);
    expect(inline.html).toBe('x\nT\nx');
    expect(standalone).toEqual({ html: 'x\nT\nx', hits: 0, misses: 1 });
  });

  it('compile options that change the output change the key', async () => {
    const sweeper = createSweeper();
    const handlebars = deploy(sweeper);
    const source = '{{#cachesweeper this 60}}{{title}}{{/cachesweeper}}';
    const marked = row('Article', 1, { title: '<b>' });
    await render(sweeper, handlebars, source, marked);
    const stats = createStats();
    const html = await renderCached(handlebars.compile(source, { noEscape: true }), marked, { stats });
    expect({ html, misses: stats.misses }).toEqual({ html: '<b>', misses: 1 });
  });
});
