import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheSweeperError, createSweeper } from '@cachesweeper/core';
import { create } from 'express-handlebars';
import Handlebars from 'handlebars';
import { afterAll, describe, expect, it } from 'vitest';
import { cachesweeperEngine } from '../src';
import { row } from './support';

const views = mkdtempSync(join(tmpdir(), 'cachesweeper-engine-errors-'));
const files: Record<string, string> = {
  'layouts/main.hbs': '<body>{{{body}}}</body>\n',
  'layouts/broken.hbs':
    '<body>\n{{{body}}}\n  {{#cachesweeper article "soon" "nav"}}<nav></nav>{{/cachesweeper}}\n</body>\n',
  'partials/comment.hbs': '<li>\n  {{#cachesweeper}}{{text}}{{/cachesweeper}}</li>\n',
  'bad-target.hbs': '<h1>title</h1>\n\n   {{#cachesweeper missing 60 "page"}}<p></p>{{/cachesweeper}}\n',
  'bad-partial.hbs': '<ul>{{#each comments}}{{> comment}}{{/each}}</ul>\n',
  'good.hbs': '{{#cachesweeper article 60 "page"}}<p>fine</p>{{/cachesweeper}}\n',
};
for (const [name, source] of Object.entries(files)) {
  mkdirSync(join(views, name, '..'), { recursive: true });
  writeFileSync(join(views, name), source);
}
afterAll(() => rmSync(views, { recursive: true, force: true }));

function engine() {
  const exphbs = create({
    handlebars: Handlebars.create(),
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: join(views, 'layouts'),
    partialsDir: join(views, 'partials'),
  });
  return cachesweeperEngine(exphbs, createSweeper());
}

async function renderError(view: string, locals: Record<string, unknown> = {}): Promise<CacheSweeperError> {
  const error = await engine()
    .renderView(join(views, view), { settings: { views }, article: row('Article', 1), ...locals })
    .then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
  expect(error).toBeInstanceOf(CacheSweeperError);
  return error as CacheSweeperError;
}

describe('errors of blocks rendered through cachesweeperEngine', () => {
  it('name the view file, with the line and column of the block', async () => {
    const error = await renderError('bad-target.hbs');
    expect(error.message).toMatch(/^\[cachesweeper\] \[handlebars\] \{\{#cachesweeper\}\} at line 3, column 4 of "/);
    expect(error.message).toContain(`${JSON.stringify(join(views, 'bad-target.hbs'))}: target undefined`);
  });

  it('name the partial file a block sits in, and the view that rendered it', async () => {
    const error = await renderError('bad-partial.hbs', { comments: [row('Comment', 1, { text: 'x' })] });
    expect(error.message).toContain(`at line 2, column 3 of ${JSON.stringify(join(views, 'partials/comment.hbs'))}`);
    expect(error.message).toContain('needs a target and a TTL in seconds');
    expect(error.message).toMatch(new RegExp(`\\(rendering "${join(views, 'bad-partial.hbs')}"\\)$`));
  });

  it('name the layout file', async () => {
    const error = await renderError('good.hbs', { layout: 'broken' });
    expect(error.message).toContain(`at line 3, column 3 of ${JSON.stringify(join(views, 'layouts/broken.hbs'))}`);
    expect(error.message).toContain('TTL of Article#1 must be a whole number of seconds >= 0, got "soon"');
  });

  it('leave a view without errors rendering as before', async () => {
    const html = await engine().renderView(join(views, 'good.hbs'), {
      settings: { views },
      article: row('Article', 1),
    });
    expect(html).toBe('<body><p>fine</p></body>');
  });
});
