import { type CacheBackend, createStats, memoryBackend, type Target } from '@cachesweeper/core';
import { describe, expect, it } from 'vitest';
import { renderCached } from '../src';
import { parseParts } from '../src/render/kept-parts';
import { setup, uncachedHandlebars } from './support';

/** Comments declared within their article: a vote bumps the comment and the article's contents counter. */
const MODELS = { Comment: { within: { Article: 'articleId' } } } as const;
const IDS = Array.from({ length: 12 }, (_, index) => index + 1);

function database() {
  return {
    title: 'T',
    comments: new Map(IDS.map((id) => [id, { id, text: `c${id}`, likes: 0 }])),
  };
}
type Database = ReturnType<typeof database>;

function pageLoaders(db: Database, calls: string[]) {
  return {
    article: () => {
      calls.push('article');
      return { title: db.title, comments: IDS.map((id) => ({ model: 'Comment', id, articleId: 1 })) };
    },
    comment: (target: Target) => {
      const id = (target as { id: number }).id;
      calls.push(`comment ${id}`);
      return { ...db.comments.get(id) };
    },
  };
}

const SOURCE =
  '{{#cachesweeper article 60 "page" load=loaders.article}}<h1>{{title}}</h1><ol>' +
  '{{#each comments}}{{#cachesweeper this 60 "c" load=@root.loaders.comment}}<li>{{text}} ({{likes}})</li>{{/cachesweeper}}{{/each}}' +
  '</ol>{{/cachesweeper}}';

/** A process rendering the article page on `backend` (one per process: its recipes and hints are its own). */
function process(backend: CacheBackend, db: Database, source = SOURCE) {
  const { handlebars, sweeper } = setup({ backend, sweeper: { models: MODELS } });
  const template = handlebars.compile(source);
  const reference = uncachedHandlebars().compile(source);
  const calls: string[] = [];
  const render = async () => {
    calls.length = 0;
    const locals = { article: { model: 'Article', id: 1 }, loaders: pageLoaders(db, calls) };
    const stats = createStats();
    const html = await renderCached(template, locals, { stats });
    await sweeper.idle();
    return { html, expected: reference({ ...locals, loaders: pageLoaders(db, []) }), stats, calls: [...calls] };
  };
  const like = async (id: number) => {
    (db.comments.get(id) as { likes: number }).likes += 1;
    await sweeper.invalidate({ model: 'Comment', id, articleId: 1 });
  };
  return { sweeper, render, like };
}

describe('a page that keeps the unchanged rows of its outdated copy', () => {
  it('renders only the comment a vote changed, keeping the others from the copy, in two reads', async () => {
    const db = database();
    const web = process(memoryBackend(), db);
    await web.render();
    await web.render();
    await web.like(5);
    const after = await web.render();
    expect(after.html).toBe(after.expected);
    expect(after.html).toContain('<li>c5 (1)</li>');
    expect(after.calls).toEqual(['comment 5']);
    expect(after.stats).toMatchObject({ hits: IDS.length - 1, kept: IDS.length - 1, misses: 2, renders: 2 });
    expect(after.stats.roundTrips - after.stats.writeRoundTrips).toBe(2);
    const next = await web.render();
    expect(next.stats).toMatchObject({ hits: 1, misses: 0 });
    expect(next.html).toBe(next.expected);
  });

  it('stays as the uncached page through votes in a row, two between pages, and a vote on a kept row', async () => {
    const db = database();
    const web = process(memoryBackend(), db);
    await web.render();
    for (const ids of [[1], [2, 3], [1], [12], [3, 3], [7]]) {
      for (const id of ids) await web.like(id);
      const after = await web.render();
      expect(after.html).toBe(after.expected);
      expect(after.calls).toEqual([...new Set(ids)].map((id) => `comment ${id}`));
    }
  });

  it('keeps the rows across processes: one renders the change, another keeps the rows from the copy it stored', async () => {
    const db = database();
    const backend = memoryBackend();
    const first = process(backend, db);
    const second = process(backend, db);
    await first.render();
    await second.render(); // a hit: the second process has no recipe of its own
    await first.like(4);
    const rendered = await second.render(); // renders the whole block: nothing to assemble it from
    expect(rendered.html).toBe(rendered.expected);
    expect((await first.render()).stats).toMatchObject({ hits: 1 }); // the second process's copy
    await second.like(9);
    const kept = await first.render(); // its own recipe, and the parts of the copy the second process stored
    expect(kept.html).toBe(kept.expected);
    expect(kept.calls).toEqual(['comment 9']);
    expect(kept.stats).toMatchObject({ hits: IDS.length - 1, kept: IDS.length - 1, misses: 2 });
    expect(kept.stats.roundTrips - kept.stats.writeRoundTrips).toBe(2);
  });

  it('looks every row up when its copy cannot be kept: damaged parts, or rows that export to the page', async () => {
    const db = database();
    const web = process(damagingParts(memoryBackend()), db);
    await web.render();
    await web.render();
    await web.like(2);
    const after = await web.render();
    expect(after.html).toBe(after.expected);
    // The copy's parts did not fit its HTML: every comment was looked up (hits), in a round of their own.
    expect(after.calls).toEqual(['comment 2']);
    expect(after.stats.roundTrips - after.stats.writeRoundTrips).toBe(3);
    expect(after.stats.kept).toBe(0);

    const exporting = process(
      memoryBackend(),
      database(),
      SOURCE.replace('<li>{{text}}', '{{cachesweeperExport last=text}}<li>{{text}}'),
    );
    await exporting.render();
    await exporting.render();
    await exporting.like(6);
    const exported = await exporting.render();
    expect(exported.html).toBe(exported.expected);
    expect(exported.calls).toEqual(['comment 6']);
    expect(exported.stats.roundTrips - exported.stats.writeRoundTrips).toBe(3);
  });

  it('checks parts against the recipe texts they sit between', () => {
    const texts = ['<ol>', '', '</ol>'];
    const html = '<ol><li>a</li><li>b</li></ol>';
    expect(parseParts('4,14,11 14,24,12', html, texts)).toEqual([
      { start: 4, end: 14, token: '11' },
      { start: 14, end: 24, token: '12' },
    ]);
    expect(parseParts('4,14,11', html, texts)).toBeUndefined();
    expect(parseParts('4,13,11 13,24,12', html, ['<ol>', 'x', '</ol>'])).toBeUndefined();
    expect(parseParts('4,14,11 14,25,12', html, texts)).toBeUndefined();
    expect(parseParts('4,14 14,24,12', html, texts)).toBeUndefined();
  });
});

/** `backend`, with every stored block's parts moved one character on, as a damaged or foreign copy would have them. */
function damagingParts(backend: CacheBackend): CacheBackend {
  const mark = '\u0000cachesweeper-parts:';
  const damage = (value: string) => {
    if (!value.includes(mark)) return value;
    const at = value.indexOf(mark) + mark.length;
    const comma = value.indexOf(',', at);
    return `${value.slice(0, at)}${Number(value.slice(at, comma)) + 1}${value.slice(comma)}`;
  };
  return {
    ...backend,
    set: (key, value, ttl) => backend.set(key, damage(value), ttl),
    setMany: (entries) =>
      (backend.setMany as NonNullable<CacheBackend['setMany']>)(
        entries.map((entry) => ({ ...entry, value: damage(entry.value) })),
      ),
  };
}
