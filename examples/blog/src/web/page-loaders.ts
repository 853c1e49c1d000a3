import type { Target } from '@cachesweeper/core';
import type { BlogModels } from '../db/models';
import { commentIdsOf, requestLoaders } from '../db/queries';

/**
 * The loaders a page's cached blocks name with `load=`: each runs only when its block
 * missed the cache, after the block's version token was read, so what it loads is
 * never older than the key it is stored under. A fully cached page runs none of them.
 */
export function pageLoaders(models: BlogModels) {
  const batched = requestLoaders(models);
  const idOf = (target: Target) => Number((target as { id: unknown }).id);
  return {
    /** The article page: the article row (already loaded for its updatedAt) and its comments' ids. */
    async articlePage(_target: Target, context: { article: unknown }) {
      const article = context.article as { id: number };
      const ids = await commentIdsOf(models, article.id);
      return { article, comments: ids.map((id) => ({ model: 'Comment', id })) };
    },
    /** One comment with its vote counts; the comments that missed on a page load in two queries. */
    async comment(target: Target) {
      return (await batched.comment(idOf(target))) ?? { missing: true };
    },
    /** An article summary on the front page, with its comment count (one query for every missed summary). */
    async articleSummary(target: Target, context: object) {
      return { ...context, commentCount: (await batched.commentCount(idOf(target))) ?? 0 };
    },
  };
}

/** The loaders of one request. */
export type PageLoaders = ReturnType<typeof pageLoaders>;
