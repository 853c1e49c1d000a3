import { setTimeout as sleep } from 'node:timers/promises';
import type { Target } from '@cachesweeper/core';
import type { BlogModels } from '../db/models';
import { articleIdsInOrder, commentIdsOf, requestLoaders } from '../db/queries';
import type { QueryMeter } from '../db/query-meter';

/** Options of `pageLoaders`. */
export interface PageLoaderOptions {
  /** Counts the loaders' calls and statements (the stats endpoint's figures). */
  readonly meter?: QueryMeter;
  /** Test-only: ms the article page's loader waits first, to make a render slow on demand. */
  readonly renderDelayMs?: number;
}

/**
 * The loaders a page's cached blocks name with `load=`: each runs only when its block
 * missed the cache, after the block's version token was read, so what it loads is
 * never older than the key it is stored under. A fully cached page runs none of them.
 */
export function pageLoaders(models: BlogModels, options: PageLoaderOptions = {}) {
  const batched = requestLoaders(models);
  const idOf = (target: Target) => Number((target as { id: unknown }).id);
  const { meter, renderDelayMs = 0 } = options;
  const metered = <T>(load: () => Promise<T>) => (meter ? meter.inLoader(load) : load());
  return {
    /**
     * The article page: the article row and its comments' ids, in two queries run together;
     * `{ missing: true }` when there is no such article (the page then exports `missing`,
     * and the route answers 404). The route loads nothing: a cached page runs no query.
     */
    articlePage(target: Target) {
      return metered(async () => {
        if (renderDelayMs > 0) await sleep(renderDelayMs);
        const id = idOf(target);
        const [article, ids] = await Promise.all([batched.article(id), commentIdsOf(models, id)]);
        if (article === undefined) return { missing: true };
        // A comment's target names its article: with WITHIN on (the default), the page records the article's contents counter for it.
        return { article, comments: ids.map((commentId) => ({ model: 'Comment', id: commentId, articleId: id })) };
      });
    },
    /** One comment with its vote counts; the comments that missed on a page load in two queries. */
    comment(target: Target) {
      return metered(async () => (await batched.comment(idOf(target))) ?? { missing: true });
    },
    /**
     * The front page's list: the ids of every article, oldest first, as references, one
     * query. Each summary inside loads its own row when it misses (`articleSummary`).
     */
    articleIndex() {
      return metered(async () => ({
        articles: (await articleIdsInOrder(models)).map((id) => ({ model: 'Article', id })),
      }));
    },
    /**
     * An article summary on the front page, with its comment count: the rows of every missed
     * summary and their counts, in two queries run together. The row is loaded here, after
     * the block's token was read, never taken from a list read before it: an edit committed in
     * between would be stored under the token that edit's bump made.
     */
    articleSummary(target: Target, context: object) {
      return metered(async () => {
        const id = idOf(target);
        const [article, commentCount] = await Promise.all([batched.article(id), batched.commentCount(id)]);
        return { ...context, ...article, commentCount: commentCount ?? 0 };
      });
    },
  };
}

/** The loaders of one request. */
export type PageLoaders = ReturnType<typeof pageLoaders>;
