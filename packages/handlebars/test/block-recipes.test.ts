import { createStats, type Target } from '@cachesweeper/core';
import { describe, expect, it } from 'vitest';
import { renderCached } from '../src';
import { setup, uncachedHandlebars } from './support';

/** The rows behind the pages: an article and its comments, changed by the tests. */
function database() {
  return {
    article: { id: 1, title: 'T', commentIds: [1, 2, 3, 4] },
    comments: new Map([1, 2, 3, 4].map((id) => [id, { id, text: `c${id}`, likes: 0 }])),
  };
}
type Database = ReturnType<typeof database>;

/**
 * The loaders of one page, as an app passes them in its locals (the blog's way): each page
 * its own, so a page must never call an earlier page's. `calls` records who loaded what.
 */
function pageLoaders(db: Database, page: string, calls: string[]) {
  return {
    article: (target: Target) => {
      calls.push(`${page}: article ${(target as { id: number }).id}`);
      return { title: db.article.title, comments: db.article.commentIds.map((id) => ({ model: 'Comment', id })) };
    },
    comment: (target: Target) => {
      const id = (target as { id: number }).id;
      calls.push(`${page}: comment ${id}`);
      return { ...db.comments.get(id) };
    },
  };
}

const SOURCE =
  '{{#cachesweeper article 60 "page" load=loaders.article}}<h1>{{title}}</h1><ol>' +
  '{{#each comments}}{{#cachesweeper this 60 "c" load=@root.loaders.comment}}<li>{{text}} ({{likes}})</li>{{/cachesweeper}}{{/each}}' +
  '</ol>{{/cachesweeper}}';

describe('an outer block assembled again from its last rendering when only a nested block moved', () => {
  function fixture(source = SOURCE) {
    const { handlebars, sweeper } = setup();
    const template = handlebars.compile(source);
    const reference = uncachedHandlebars().compile(source);
    const db = database();
    const calls: string[] = [];
    let pages = 0;
    const render = async () => {
      const page = `page ${++pages}`;
      const locals = { article: { model: 'Article', id: 1 }, loaders: pageLoaders(db, page, calls), visitor: page };
      const stats = createStats();
      const html = await renderCached(template, locals, { stats });
      await sweeper.idle();
      const expected = reference({ ...locals, loaders: pageLoaders(db, 'reference', []) });
      return { page, html, expected, stats };
    };
    /** Likes comment `id` (its counter bumped, the article's not) and renders the next page, calls counted from there. */
    const likeAndRender = async (id: number) => {
      calls.length = 0;
      (db.comments.get(id) as { likes: number }).likes += 1;
      await sweeper.invalidate({ model: 'Comment', id });
      return render();
    };
    return { handlebars, sweeper, db, calls, render, likeAndRender };
  }

  it("renders only the moved comment, with the page's own loader, and not the article's loader or body", async () => {
    const { calls, render, likeAndRender } = fixture();
    await render();
    const after = await likeAndRender(3); // the article is not invalidated
    expect(after.html).toBe(after.expected);
    expect(after.html).toContain('<li>c3 (1)</li>');
    expect(calls).toEqual([`${after.page}: comment 3`]);
    expect(after.stats).toMatchObject({ hits: 3, misses: 2, renders: 2 });
    // Stored again with the comment's new counter: the next page is a full hit.
    const next = await render();
    expect(next.stats).toMatchObject({ hits: 1, misses: 0 });
    expect(next.html).toBe(next.expected);
  });

  it("keeps no recipe of a block that nests none: 300 such blocks rendered since do not push the article's out", async () => {
    const { handlebars, sweeper, calls, render, likeAndRender } = fixture();
    await render();
    const leaves = handlebars.compile(
      '{{#each rows}}{{#cachesweeper this 60 "leaf" load=@root.loaders.row}}<p>{{n}}</p>{{/cachesweeper}}{{/each}}',
    );
    const rows = Array.from({ length: 300 }, (_, index) => ({ model: 'Row', id: index + 1 }));
    const row = (target: Target) => ({ n: (target as { id: number }).id });
    const html = await renderCached(leaves, { rows, loaders: { row } });
    expect(html).toContain('<p>300</p>');
    await sweeper.idle();
    const after = await likeAndRender(3);
    expect(after.html).toBe(after.expected);
    expect(calls).toEqual([`${after.page}: comment 3`]);
  });

  it("renders the whole block again once the block's own row moved", async () => {
    const { sweeper, db, calls, render } = fixture();
    await render();
    calls.length = 0;
    db.article.title = 'New title';
    db.article.commentIds = [4, 1];
    await sweeper.invalidate({ model: 'Article', id: 1 });
    const after = await render();
    expect(after.html).toBe(after.expected);
    expect(calls).toEqual([`${after.page}: article 1`]); // its comments hit
  });

  it('keeps each recipe current: several moves in a row, each page as the uncached one', async () => {
    const { render, likeAndRender } = fixture();
    await render();
    for (const id of [1, 2, 1, 4, 3, 3]) {
      const after = await likeAndRender(id);
      expect(after.html).toBe(after.expected);
    }
  });

  it("shows each visitor their own page when a nested block reads the visitor (the article's key differs)", async () => {
    const source = SOURCE.replace('({{likes}})', '({{likes}}) for {{@root.visitor}}');
    const { calls, render, likeAndRender } = fixture(source);
    await render();
    const after = await likeAndRender(2);
    expect(after.html).toBe(after.expected);
    expect(after.html).toContain(`c2 (1) for ${after.page}`);
    // Each page's visitor keys the comments apart: the article and every comment render for it.
    expect(calls[0]).toBe(`${after.page}: article 1`);
    expect(calls).toContain(`${after.page}: comment 2`);
  });

  it('renders the whole block again when a nested block reads its loop position (anything outside itself)', async () => {
    const source = SOURCE.replace('({{likes}})', '({{likes}}) #{{@index}}');
    const { calls, render, likeAndRender } = fixture(source);
    await render();
    const after = await likeAndRender(2);
    expect(after.html).toBe(after.expected);
    expect(calls).toEqual([`${after.page}: article 1`, `${after.page}: comment 2`]);
  });

  it("renders the whole block again when a nested block's loader sits in two places of @root", async () => {
    const { handlebars, sweeper } = setup();
    const template = handlebars.compile(SOURCE);
    const db = database();
    const calls: string[] = [];
    const localsOf = (page: string) => {
      const loaders = pageLoaders(db, page, calls);
      // Which of the two the template took cannot be told from the page: no recipe is kept.
      return { article: { model: 'Article', id: 1 }, alias: { comment: loaders.comment }, loaders };
    };
    await renderCached(template, localsOf('first'));
    await sweeper.idle();
    calls.length = 0;
    await sweeper.invalidate({ model: 'Comment', id: 1 });
    await renderCached(template, localsOf('second'));
    expect(calls).toEqual(['second: article 1', 'second: comment 1']);
  });
});
