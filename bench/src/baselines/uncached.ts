import { createStats } from '@cachesweeper/core';
import Handlebars from 'handlebars';
import type { BlogModels } from '../../../examples/blog/src/db/models';
import { type CommentView, commentIdsOf, loadComments } from '../../../examples/blog/src/db/queries';
import type { BlogFixture } from '../fixtures';
import type { RenderedPage } from '../page';
import { BENCH_VISITOR, compileArticleTemplates } from '../views';

/** `{{#cachesweeper}}` without a cache: renders its block in place. */
export function renderInPlace(this: unknown, ...args: unknown[]): string {
  const options = args[args.length - 1] as Handlebars.HelperOptions;
  return options.fn(this);
}

/** `{{cachesweeperExport}}` without a cache: the page's locals already hold what it exports. */
export function ignoreExports(): string {
  return '';
}

/** An article's comments as a user without a cache loads them: the list, then two counts per comment (2N + 1 queries). */
export async function loadCommentsNaively(models: BlogModels, articleId: number): Promise<CommentView[]> {
  const rows = await models.Comment.findAll({ where: { articleId }, order: [['id', 'ASC']], raw: true });
  const views: CommentView[] = [];
  for (const row of rows) {
    const likes = await models.Vote.count({ where: { commentId: row.id, value: 1 } });
    const dislikes = await models.Vote.count({ where: { commentId: row.id, value: -1 } });
    views.push({ id: row.id, articleId: row.articleId, author: row.author, body: row.body, likes, dislikes });
  }
  return views;
}

/** An article's comments loaded as the blog's miss loaders do (3 queries). */
export async function loadCommentsBatched(models: BlogModels, articleId: number): Promise<CommentView[]> {
  const ids = await commentIdsOf(models, articleId);
  const byId = await loadComments(models, ids);
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** How the uncached page loads its data. */
export type UncachedQueries = 'naive' | 'batched';

/** Renders the article page without any cache. */
export interface UncachedArticlePage {
  render(): Promise<RenderedPage>;
}

/** The cache panel's figures on a page rendered without a cache. */
export const NO_STATS = Object.freeze(createStats());

/**
 * The same templates rendered without caching: `{{#cachesweeper}}` is a helper that
 * renders its block in place. `naive` loads the data as a user without a cache
 * writes it (django-cache-sweeper's example): the article, the comment list, then
 * per comment its likes count and its dislikes count, one query each (2N + 2
 * queries). `batched` loads it as the blog's miss loaders do (4 queries), to tell
 * what the cache saves from what batching saves.
 */
export function uncachedArticlePage(fixture: BlogFixture, queries: UncachedQueries): UncachedArticlePage {
  const { models } = fixture.blog;
  const handlebars = Handlebars.create();
  handlebars.registerHelper({ cachesweeper: renderInPlace, cachesweeperExport: ignoreExports });
  const templates = compileArticleTemplates(handlebars);

  return {
    async render() {
      const row = await models.Article.findByPk(fixture.articleId);
      if (row === null) throw new Error('[cachesweeper] [bench] the article is gone');
      const article = row.get({ plain: true });
      const comments =
        queries === 'naive'
          ? await loadCommentsNaively(models, article.id)
          : await loadCommentsBatched(models, article.id);
      const locals = {
        title: article.title,
        article,
        comments,
        visitor: BENCH_VISITOR,
        cacheStats: NO_STATS,
        cacheTotals: NO_STATS,
        cacheBackend: 'none',
      };
      const body = templates.show(locals).trim();
      const html = templates.layout({ ...locals, body }).trim();
      return { pieces: [Buffer.from(html)], html, body, stats: NO_STATS, liveStats: NO_STATS };
    },
  };
}
