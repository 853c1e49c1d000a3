import { setTimeout as sleep } from 'node:timers/promises';
import type { Target } from '@cachesweeper/core';
import type { BlogModels } from '../db/models';
import { commentIdsOf, requestLoaders } from '../db/queries';
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
    /** The article page: the article row (already loaded for its updatedAt) and its comments' ids. */
    articlePage(_target: Target, context: { article: unknown }) {
      return metered(async () => {
        if (renderDelayMs > 0) await sleep(renderDelayMs);
        const article = context.article as { id: number };
        const ids = await commentIdsOf(models, article.id);
        // A comment's target names its article: with WITHIN=on, the page's key covers the comment's block.
        return { article, comments: ids.map((id) => ({ model: 'Comment', id, articleId: article.id })) };
      });
    },
    /** One comment with its vote counts; the comments that missed on a page load in two queries. */
    comment(target: Target) {
      return metered(async () => (await batched.comment(idOf(target))) ?? { missing: true });
    },
    /** An article summary on the front page, with its comment count (one query for every missed summary). */
    articleSummary(target: Target, context: object) {
      return metered(async () => ({ ...context, commentCount: (await batched.commentCount(idOf(target))) ?? 0 }));
    },
  };
}

/** The loaders of one request. */
export type PageLoaders = ReturnType<typeof pageLoaders>;
