import { createStats, type SweeperStats } from '@cachesweeper/core';
import { HeldFragmentBytes, registerCacheSweeper, renderCached } from '@cachesweeper/handlebars';
import Handlebars from 'handlebars';
import { pageLoaders } from '../../examples/blog/src/web/page-loaders';
import type { BlogFixture } from './fixtures';
import { type ArticleTemplates, BENCH_VISITOR, compileArticleTemplates } from './views';

/** A rendered page, with the round trips it cost before the response and its body alone. */
export interface RenderedPage {
  /** The response's body as a server writes it, in pieces: every contender's page ends as UTF-8 bytes. */
  readonly pieces: readonly Buffer[];
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
}

/**
 * The article page of the blog's route: render `articles/show` for a reference to the
 * article (`{ model: 'Article', id }`: the route runs no query of its own) with the
 * blog's miss-only loaders through `renderCached`, then the layout, whose title is the
 * one the page's block exported, as the engine does (`renderCached`, trimmed by pieces),
 * and the page's bytes as the engine hands them to `sendPage` (its large fragments as
 * bytes held across pages, not copied). The same work as `GET /articles/:id` minus Express.
 */
export function cachedArticlePage(fixture: BlogFixture): CachedArticlePage {
  const { blog } = fixture;
  const handlebars = Handlebars.create();
  registerCacheSweeper(handlebars, blog.sweeper);
  const templates: ArticleTemplates = compileArticleTemplates(handlebars);
  const held = new HeldFragmentBytes();

  return {
    async render(): Promise<RenderedPage> {
      const stats = createStats();
      const exports: Record<string, unknown> = {};
      const locals = {
        article: { model: 'Article', id: fixture.articleId },
        loaders: pageLoaders(blog.models),
        visitor: BENCH_VISITOR,
        cacheStats: stats,
        cacheTotals: blog.sweeper.stats(),
        cacheBackend: fixture.backend,
      };
      // As the engine makes its sessions: it keeps the unchanged rows of an outdated copy.
      const session = blog.sweeper.session({ stats, keepsUnchanged: true });
      const bytes = held.page();
      // As the engine renders a view: trimmed by its pieces (String#trim would copy the whole page).
      const body = await renderCached(templates.show, locals, { session, exports, trim: true, bytes });
      const counted = { ...stats };
      // The layout as the engine renders it too: through renderCached, trimmed by its pieces.
      const html = await renderCached(
        templates.layout,
        { ...locals, title: exports.title, body },
        { session, trim: true, bytes },
      );
      const page = bytes.toBody(html);
      // The strings only the checks read, outside the timed work.
      return {
        pieces: page.pieces,
        get html() {
          return page.toString();
        },
        get body() {
          return bytes.expand(body);
        },
        stats: counted,
        liveStats: stats,
      };
    },
  };
}
