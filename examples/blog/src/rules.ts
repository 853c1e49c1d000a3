import type { SweeperRules } from '@cachesweeper/sequelize';

/**
 * The rules with `WITHIN=off`. django-cache-sweeper's own story: an article has many comments, a comment has many
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
 * a comment also bumps its article's *contents* counter, which the article page records in
 * place of one counter per comment, so its hit reads a fixed number of keys (4 with the
 * page held locally) however many comments it shows. A vote names only its comment: the
 * page keeps its key and is assembled again around the changed comment. A new or moved
 * comment is the comment's own write, which the installer makes invalidate the article
 * too (its list changed). The vote route passes the comment it loaded (with its
 * `articleId`), so the installer needs no query to find the article.
 */
export const BLOG_RULES_WITHIN: SweeperRules = {
  Article: {},
  Comment: { within: { Article: 'articleId' } },
  Vote: { invalidates: ['comment'] },
};
