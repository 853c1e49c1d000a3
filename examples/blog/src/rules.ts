import type { SweeperRules } from '@cachesweeper/sequelize';

/**
 * django-cache-sweeper's own story: an article has many comments, a comment has many
 * votes; a vote invalidates its comment and that comment's article page. An article is
 * keyed by its counter, which its own saves bump (the installer's hooks) as comments do:
 * the page's route then needs no query before its cache lookup, so a fully cached page
 * runs none (keyed by `updatedAt`, as django-cache-sweeper's story has it, the route
 * would load the row on every view to read it).
 *
 * A vote names only its comment: the article page nests the comment's fragment, and a
 * stored fragment is served only while the counters of the fragments nested in it
 * hold, so bumping the comment invalidates the page too — without the query that
 * `'comment.article'` would cost on every vote. A comment names its article: the page
 * shows the list of comments itself, and a new or moved comment is not nested in the
 * copy stored before it.
 */
export const BLOG_RULES: SweeperRules = {
  Article: {},
  Comment: { invalidates: ['article'] },
  Vote: { invalidates: ['comment'] },
};

/**
 * The same story with comments declared `within` their article (`WITHIN=on`): invalidating
 * a comment (a vote, an edit, a new or moved comment) also bumps its article's counter,
 * after the comment's own, so the article page's key changes with every comment in it
 * and its hit reads a fixed number of keys (4) instead of one counter per comment. A vote
 * still names only its comment: the vote route passes the comment it loaded (with its
 * `articleId`), so the installer needs no query to find the article.
 */
export const BLOG_RULES_WITHIN: SweeperRules = {
  Article: {},
  Comment: { within: { Article: 'articleId' } },
  Vote: { invalidates: ['comment'] },
};
