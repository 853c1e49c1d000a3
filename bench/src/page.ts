import { createStats, type SweeperStats } from '@cachesweeper/core';
import { registerCacheSweeper, renderCached } from '@cachesweeper/handlebars';
import Handlebars from 'handlebars';
import { pageLoaders } from '../../examples/blog/src/web/page-loaders';
import type { BlogFixture } from './fixtures';
import { type ArticleTemplates, BENCH_VISITOR, compileArticleTemplates } from './views';

/** A rendered page, with the round trips it cost before the response and its body alone. */
export interface RenderedPage {
  readonly html: string;
  /** The view's output without the layout (the part compared with the uncached page). */
  readonly body: string;
  /** The page's counters, as they stood when it was returned (background writes come later). */
  readonly stats: SweeperStats;
  /** The same counters, still counting: after `sweeper.idle()` they include the background write round. */
  readonly liveStats: SweeperStats;
}

/** Renders the blog's article page with cachesweeper, as its route does. */
export interface CachedArticlePage {
  render(): Promise<RenderedPage>;
  /** As `render`, for an article row already loaded (the cache part alone). */
  renderLoaded(article: unknown): Promise<RenderedPage>;
}

/**
 * The article page of the blog's route: load the article row (its `updatedAt` is
 * part of the page key), render `articles/show` with the blog's miss-only loaders
 * through `renderCached`, then the layout. The same work as `GET /articles/:id`
 * minus Express.
 */
export function cachedArticlePage(fixture: BlogFixture): CachedArticlePage {
  const { blog } = fixture;
  const handlebars = Handlebars.create();
  registerCacheSweeper(handlebars, blog.sweeper);
  const templates: ArticleTemplates = compileArticleTemplates(handlebars);

  const renderLoaded = async (row: unknown): Promise<RenderedPage> => {
    const article = row as InstanceType<typeof blog.models.Article>;
    const stats = createStats();
    const locals = {
      title: article.title,
      article: blog.installation.toTemplateData(article),
      loaders: pageLoaders(blog.models),
      visitor: BENCH_VISITOR,
      cacheStats: stats,
      cacheTotals: blog.sweeper.stats(),
      cacheBackend: fixture.backend,
    };
    const session = blog.sweeper.session({ stats });
    const body = (await renderCached(templates.show, locals, { session })).trim();
    const counted = { ...stats };
    return { html: templates.layout({ ...locals, body }).trim(), body, stats: counted, liveStats: stats };
  };

  return {
    renderLoaded,
    async render() {
      const article = await blog.models.Article.findByPk(fixture.articleId);
      return renderLoaded(article);
    },
  };
}
