import { createSweeper } from '@cachesweeper/core';
import Handlebars from 'handlebars';
import { expect, it } from 'vitest';
import { registerCacheSweeper, renderCached } from '../src';

it('the README usage example renders, and a second render runs no loader', async () => {
  const db = {
    loads: 0,
    async loadArticlePage(id: number) {
      this.loads++;
      return { title: `Article ${id}`, comments: [{ model: 'Comment', id: 1, text: 'first' }] };
    },
  };
  const handlebars = Handlebars.create();
  const sweeper = createSweeper();
  registerCacheSweeper(handlebars, sweeper);
  const loadPage = async (article: { id: number }) => db.loadArticlePage(article.id);
  const page = handlebars.compile(`
{{#cachesweeper article 3600 "page" load=loadPage}}<h1>{{title}}</h1>
  {{#each comments}}{{#cachesweeper this 600 "comment"}}<p>{{text}}</p>{{/cachesweeper}}{{/each}}
{{/cachesweeper}}`);
  const context = { article: { model: 'Article', id: 7 }, loadPage };
  const html = await renderCached(page, context);
  expect(html).toBe('\n<h1>Article 7</h1>\n  <p>first</p>\n');
  await sweeper.idle();
  expect(await renderCached(page, context)).toBe(html);
  expect(db.loads).toBe(1);
});
