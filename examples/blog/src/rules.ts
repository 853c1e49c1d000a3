import type { SweeperRules } from '@cachesweeper/sequelize';

/**
 * django-cache-sweeper's own story: an article has many comments, a comment has many
 * votes; a vote invalidates its comment and that comment's article page; an article
 * is keyed by its updatedAt plus a counter.
 *
 * A comment lives `within` its article: invalidating a comment (a vote, an edit, a new
 * or moved comment) bumps its article's counter too, after the comment's own, so the
 * article page's key changes with every comment in it, and its hit reads a fixed number
 * of keys instead of every comment's counter. A vote names only its comment: the
 * installer reads that comment's `articleId` inside the vote's transaction.
 */
export const BLOG_RULES: SweeperRules = {
  Article: { using: 'updatedAt' },
  Comment: { within: { Article: 'articleId' } },
  Vote: { invalidates: ['comment'] },
};
