import type { SweeperRules } from '@cachesweeper/sequelize';

/**
 * django-cache-sweeper's own story: an article has many comments, a comment has many
 * votes; a vote invalidates its comment and that comment's article page; an article
 * is keyed by its updatedAt (plus the counter votes and comments bump).
 */
export const BLOG_RULES: SweeperRules = {
  Article: { using: 'updatedAt' },
  Comment: { invalidates: ['article'] },
  Vote: { invalidates: ['comment', 'comment.article'] },
};
