import { join } from 'node:path';
import express, { type Express } from 'express';
import { create } from 'express-handlebars';
import Handlebars from 'handlebars';
import { panelHelpers } from '../../../examples/blog/src/web/panel-helpers';
import { visitorMiddleware } from '../../../examples/blog/src/web/visitor';
import {
  ignoreExports,
  loadCommentsBatched,
  loadCommentsNaively,
  NO_STATS,
  renderInPlace,
  type UncachedQueries,
} from '../baselines/uncached';
import type { BlogFixture } from '../fixtures';
import { BLOG_VIEWS } from '../views';

/**
 * The blog's article page as an app without a cache would serve it: the same
 * Express set-up, views, layout and visitor middleware, `{{#cachesweeper}}`
 * rendering in place, and either the naive queries (2 per comment) or the blog's own
 * 4 batched queries (what a good engineer builds without a cache).
 */
export function uncachedBlogApp(fixture: BlogFixture, queries: UncachedQueries): Express {
  const { models } = fixture.blog;
  const loadComments = queries === 'naive' ? loadCommentsNaively : loadCommentsBatched;
  const exphbs = create({
    handlebars: Handlebars.create(),
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: join(BLOG_VIEWS, 'layouts'),
    partialsDir: join(BLOG_VIEWS, 'partials'),
    helpers: { ...panelHelpers, cachesweeper: renderInPlace, cachesweeperExport: ignoreExports },
  });
  const app = express();
  app.disable('x-powered-by');
  app.engine('.hbs', exphbs.engine);
  app.set('view engine', '.hbs');
  app.set('views', BLOG_VIEWS);
  app.use(visitorMiddleware('bench'));
  app.get('/articles/:id', async (request, response) => {
    const row = await models.Article.findByPk(Number(request.params.id));
    if (row === null) {
      response.status(404).send('Not found');
      return;
    }
    const article = row.get({ plain: true });
    response.render('articles/show', {
      title: article.title,
      article,
      comments: await loadComments(models, article.id),
      cacheStats: NO_STATS,
      cacheTotals: NO_STATS,
      cacheBackend: 'none',
    });
  });
  return app;
}
