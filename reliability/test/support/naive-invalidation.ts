import { setTimeout as sleep } from 'node:timers/promises';
import type { CacheBackend, CacheEntry } from '@cachesweeper/core';
import type { BlogInstance } from './blog-instances';

/** How long a tampered vote's transaction goes on after its bump. */
const SAVE_TAIL_MS = 15;

/**
 * The control: replaces the installer's hooks with django-cache-sweeper's way for
 * votes — bump the comment and its article inside the write's own hook, before
 * COMMIT. A render between that bump and the commit reads the new token and the
 * old committed votes, and caches them under the new key: the race must see it.
 */
export function invalidateVotesBeforeCommit(instance: BlogInstance): void {
  const { models, sweeper, installation } = instance.blog;
  installation.uninstall();
  models.Vote.addHook('afterCreate', 'naive-invalidation', async (row, options) => {
    const vote = row as unknown as { commentId: number };
    const comment = await models.Comment.findByPk(vote.commentId, {
      attributes: ['id', 'articleId'],
      transaction: options.transaction ?? null,
    });
    await sweeper.invalidateMany([
      comment
        ? { model: 'Comment', id: vote.commentId, articleId: comment.articleId }
        : { model: 'Comment', id: vote.commentId },
      ...(comment ? [{ model: 'Article', id: comment.articleId }] : []),
    ]);
    // The rest of the request's transaction (django's post_save runs mid-transaction): the
    // window in which a render reads the new token and the old votes. Without it the window
    // is a few hundred microseconds, and a run can end without a render landing in it.
    await sleep(SAVE_TAIL_MS);
  });
}

/**
 * The control for moved rows: replaces the installer's hooks with ones that invalidate
 * a comment and its *new* article after commit, forgetting the article it left (no
 * `previous(articleId)`). The old article's page keeps listing the comment: the race must see it.
 */
export function forgetTheArticleAMovedCommentLeft(instance: BlogInstance): void {
  const { models, sweeper, installation } = instance.blog;
  installation.uninstall();
  models.Comment.addHook('afterUpdate', 'naive-invalidation', (row, options) => {
    const comment = row as unknown as { id: number; articleId: number };
    const targets = [
      { model: 'Comment', id: comment.id, articleId: comment.articleId },
      { model: 'Article', id: comment.articleId },
    ];
    const invalidate = async () => {
      await sweeper.invalidateMany(targets);
    };
    if (options.transaction) options.transaction.afterCommit(invalidate);
    else return invalidate();
  });
}

/**
 * The control for `within` (run with the blog's WITHIN=on rules): replaces the installer's
 * hooks with one that invalidates a new comment alone after commit, which bumps its
 * article's contents counter but not the article's own: the page keeps its key, and a
 * process that assembled it before assembles it again from its recipe, around the old
 * list of comments. The race must see it (the installer invalidates the article too).
 */
export function bumpOnlyTheContentsOfANewCommentsArticle(instance: BlogInstance): void {
  const { models, sweeper, installation } = instance.blog;
  installation.uninstall();
  models.Comment.addHook('afterCreate', 'naive-invalidation', (row, options) => {
    const comment = row as unknown as { id: number; articleId: number };
    const invalidate = async () => {
      await sweeper.invalidate({ model: 'Comment', id: comment.id, articleId: comment.articleId });
    };
    if (options.transaction) options.transaction.afterCommit(invalidate);
    else return invalidate();
  });
}

/**
 * The control for the records of contents bumps (WITHIN=on): every record this instance
 * writes names a row that exists nowhere instead of the rows bumped with it. A page after a
 * vote then keeps the voted comment's old part from the outdated copy of its article's
 * page (the records say it did not change): the race must see it.
 */
export function recordNoRowOfAContentsBump(instance: BlogInstance): void {
  const backend = instance.blog.sweeper.backend as {
    set: CacheBackend['set'];
    setMany?: CacheBackend['setMany'];
  };
  const NOTHING = 'cs-control:Nothing:=0';
  const isRecord = (key: string) => key.includes(':&!');
  const wrong = (entry: CacheEntry): CacheEntry => (isRecord(entry.key) ? { ...entry, value: NOTHING } : entry);
  const { set, setMany } = backend;
  backend.set = (key, value, ttl) => set.call(backend, key, isRecord(key) ? NOTHING : value, ttl);
  if (setMany !== undefined) backend.setMany = (entries) => setMany.call(backend, entries.map(wrong));
}
