import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheSweeperError, createStats, createSweeper } from '@cachesweeper/core';
import { create } from 'express-handlebars';
import Handlebars from 'handlebars';
import { afterAll, describe, expect, it } from 'vitest';
import { cachesweeperEngine, renderCached } from '../src';
import { countingBackend, setup } from './support';

const article = { model: 'Article', id: 7 };

/** The article page: the block exports the title its loader found (or that the row is missing). */
const PAGE = `{{#cachesweeper article 60 "page" load=loadPage}}{{#if missing}}{{cachesweeperExport missing=true}}<p>gone</p>{{else}}{{cachesweeperExport title=title words=words}}<h1>{{title}}</h1>{{#each comments}}{{#cachesweeper this 60 "c"}}{{cachesweeperExport lastComment=text}}<li>{{text}}</li>{{/cachesweeper}}{{/each}}{{/if}}{{/cachesweeper}}`;

function pageContext(loads: { count: number }, found = true) {
  return {
    article,
    loadPage: async () => {
      loads.count++;
      return found
        ? {
            title: 'Hello <world>',
            words: 3,
            comments: [
              { model: 'Comment', id: 1, text: 'one' },
              { model: 'Comment', id: 2, text: 'two' },
            ],
          }
        : { missing: true };
    },
  };
}

describe('{{cachesweeperExport}}: values a cached block hands to the page', () => {
  it('reach the page when the block renders and when it hits (its loader not called), with those of the blocks in it', async () => {
    const { handlebars, sweeper } = setup({ backend: countingBackend().backend });
    const template = handlebars.compile(PAGE);
    const loads = { count: 0 };
    const cold: Record<string, unknown> = {};
    const coldHtml = await renderCached(template, pageContext(loads), { exports: cold });
    await sweeper.idle();
    expect(cold).toEqual({ title: 'Hello <world>', words: 3, lastComment: 'two' });
    const warm: Record<string, unknown> = {};
    const stats = createStats();
    expect(await renderCached(template, pageContext(loads), { exports: warm, stats })).toBe(coldHtml);
    expect(stats).toMatchObject({ hits: 1, misses: 0 });
    expect(loads.count).toBe(1);
    expect(warm).toEqual(cold);
    expect(coldHtml).toBe('<h1>Hello &lt;world&gt;</h1><li>one</li><li>two</li>');
  });

  it('are kept with the outer copy when an inner block hit while the outer one rendered', async () => {
    const { handlebars, sweeper } = setup({ backend: countingBackend().backend });
    const template = handlebars.compile(PAGE);
    const loads = { count: 0 };
    await renderCached(template, pageContext(loads));
    await sweeper.idle();
    await sweeper.invalidate(article); // the page renders again around the two comment copies
    await renderCached(template, pageContext(loads));
    await sweeper.idle();
    const warm: Record<string, unknown> = {};
    await renderCached(template, pageContext(loads), { exports: warm });
    expect(warm).toEqual({ title: 'Hello <world>', words: 3, lastComment: 'two' });
    expect(loads.count).toBe(2);
  });

  it('outside every block go straight to the page; in a plain template call they go nowhere', async () => {
    const { handlebars } = setup();
    const template = handlebars.compile('{{cachesweeperExport heading=name}}<p>{{name}}</p>');
    const exports: Record<string, unknown> = {};
    expect(await renderCached(template, { name: 'Ann' }, { exports })).toBe('<p>Ann</p>');
    expect(exports).toEqual({ heading: 'Ann' });
    expect(template({ name: 'Bob' })).toBe('<p>Bob</p>');
  });

  it('refuse values that are not data, and positional arguments, naming the helper, the name and the value', async () => {
    const { handlebars } = setup();
    const bad = handlebars.compile('{{cachesweeperExport author=user}}', { srcName: 'page.hbs' } as object);
    await expect(renderCached(bad, { user: { name: 'x' } })).rejects.toThrow(CacheSweeperError);
    await expect(renderCached(bad, { user: { name: 'x' } })).rejects.toThrow(
      /\{\{cachesweeperExport\}\} at line 1, column 1 of "page.hbs": author must be a string, a finite number, a boolean or null \(data, stored with the block as JSON; never HTML\), got /,
    );
    const nan = handlebars.compile('{{cachesweeperExport n=n}}');
    await expect(renderCached(nan, { n: Number.NaN })).rejects.toThrow(/n must be a string, a finite number/);
    const positional = handlebars.compile('{{cachesweeperExport "title" t}}');
    await expect(renderCached(positional, { t: 'x' })).rejects.toThrow(/takes name=value pairs only/);
  });

  it('a helper name of your own exports through `<name>Export`', async () => {
    const { handlebars } = setup({ register: { helperName: 'cache' } });
    const template = handlebars.compile('{{#cache article 60}}{{cacheExport title="T"}}x{{/cache}}');
    const exports: Record<string, unknown> = {};
    expect(await renderCached(template, { article }, { exports })).toBe('x');
    expect(exports).toEqual({ title: 'T' });
  });
});

describe('the engine hands exports to the layout and to the route', () => {
  const views = mkdtempSync(join(tmpdir(), 'cachesweeper-exports-'));
  afterAll(() => rmSync(views, { recursive: true, force: true }));
  const files: Record<string, string> = {
    'layouts/main.hbs': '<title>{{#if title}}{{title}} · {{/if}}site</title>{{{body}}}',
    'page.hbs': PAGE,
  };
  for (const [name, source] of Object.entries(files)) {
    mkdirSync(join(views, name, '..'), { recursive: true });
    writeFileSync(join(views, name), source);
  }

  it('the layout shows the title the view exported, from a hit as from a render; the route reads them', async () => {
    const sweeper = createSweeper({ backend: countingBackend().backend });
    const exphbs = create({
      handlebars: Handlebars.create(),
      extname: '.hbs',
      defaultLayout: 'main',
      layoutsDir: join(views, 'layouts'),
    });
    cachesweeperEngine(exphbs, sweeper, { exports: (locals) => locals.pageExports as Record<string, unknown> });
    const loads = { count: 0 };
    const render = async (found: boolean, locals: object = {}) => {
      const pageExports: Record<string, unknown> = {};
      const html = await exphbs.renderView(join(views, 'page.hbs'), {
        ...pageContext(loads, found),
        ...locals,
        pageExports,
        settings: { views },
      });
      return { html: html as string, pageExports };
    };
    const cold = await render(true);
    await sweeper.idle();
    const warm = await render(true);
    expect(cold.html).toBe(
      '<title>Hello &lt;world&gt; · site</title><h1>Hello &lt;world&gt;</h1><li>one</li><li>two</li>',
    );
    expect(warm.html).toBe(cold.html);
    expect(warm.pageExports).toMatchObject({ title: 'Hello <world>' });
    expect(loads.count).toBe(1);
    // The route's own locals win over an export of the same name.
    expect((await render(true, { title: 'Mine' })).html).toContain('<title>Mine · site</title>');

    await sweeper.invalidate(article);
    const gone = await render(false);
    expect(gone.pageExports).toEqual({ missing: true });
    expect(gone.html).toBe('<title>site</title><p>gone</p>');
  });
});
