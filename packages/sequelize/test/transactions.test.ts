import type { Transaction } from 'sequelize';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BlogFixture, openBlog } from './support/blog-fixture';
import { DIALECTS } from './support/databases';

describe.each(DIALECTS)('transactions on %s', (dialect) => {
  let blog: BlogFixture;
  beforeEach(async () => {
    blog = await openBlog(dialect, 'tx');
  });
  afterEach(() => blog.close());

  const transaction = (options?: { transaction: Transaction }) => blog.db.sequelize.transaction(options ?? {});
  const vote = (commentId: number, t: Transaction) => blog.models.Vote.create({ commentId }, { transaction: t });

  describe('with warm fragments', () => {
    beforeEach(async () => {
      for (const id of [1, 2]) await blog.pages.article(id);
      for (const id of [1, 2, 3, 4]) await blog.pages.comment(id);
    });

    it('nothing is invalidated before the commit', async () => {
      const t = await transaction();
      await vote(1, t);
      await blog.pages.comment(1);
      expect(blog.pages.count('Comment#1')).toBe(1);
      await t.commit();
    });

    it('everything is invalidated by the time commit() resolves', async () => {
      const t = await transaction();
      await vote(1, t);
      await t.commit();
      expect(await blog.pages.comment(1)).toBe('<li>one: 2 votes</li>');
      expect(await blog.pages.article(1)).toBe(await blog.pages.uncachedArticle(1));
    });

    it('a managed transaction invalidates once its callback committed', async () => {
      await blog.db.sequelize.transaction(async (t) => {
        await vote(2, t);
      });
      expect(await blog.pages.comment(2)).toBe('<li>two: 1 votes</li>');
    });

    it('a rollback invalidates nothing', async () => {
      const t = await transaction();
      await vote(1, t);
      await t.rollback();
      expect(await blog.pages.comment(1)).toBe('<li>one: 1 votes</li>');
      expect(blog.pages.count('Comment#1')).toBe(1);
    });

    it('a managed transaction whose callback throws invalidates nothing', async () => {
      await expect(
        blog.db.sequelize.transaction(async (t) => {
          await vote(1, t);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      await blog.pages.comment(1);
      expect(blog.pages.count('Comment#1')).toBe(1);
    });

    it('a released savepoint invalidates at the outer commit, not at its release', async () => {
      const t = await transaction();
      const savepoint = await transaction({ transaction: t });
      await vote(1, savepoint);
      await savepoint.commit();
      await blog.pages.comment(1);
      expect(blog.pages.count('Comment#1')).toBe(1);
      await t.commit();
      expect(await blog.pages.comment(1)).toBe('<li>one: 2 votes</li>');
    });

    it("a savepoint rolled back drops its writes' invalidations and keeps the outer ones", async () => {
      const t = await transaction();
      await vote(1, t);
      const savepoint = await transaction({ transaction: t });
      await vote(3, savepoint);
      await savepoint.rollback();
      await t.commit();
      expect(await blog.pages.comment(1)).toBe('<li>one: 2 votes</li>');
      await blog.pages.comment(3);
      expect(blog.pages.count('Comment#3')).toBe(1);
    });

    it('a savepoint released inside one that rolled back is dropped with it', async () => {
      const t = await transaction();
      const outer = await transaction({ transaction: t });
      const inner = await transaction({ transaction: outer });
      await vote(3, inner);
      await inner.commit();
      await outer.rollback();
      await t.commit();
      await blog.pages.comment(3);
      expect(blog.pages.count('Comment#3')).toBe(1);
    });

    it('a managed savepoint inside a managed transaction invalidates at the outer commit', async () => {
      await blog.db.sequelize.transaction(async (t) => {
        await blog.db.sequelize.transaction({ transaction: t }, async (savepoint) => {
          await vote(4, savepoint);
        });
        await blog.pages.comment(4);
        expect(blog.pages.count('Comment#4')).toBe(1);
      });
      expect(await blog.pages.comment(4)).toBe('<li>four: 1 votes</li>');
    });

    it('many writes to the same rows in one transaction bump each row once, in one round', async () => {
      const before = blog.sweeper.stats();
      await blog.db.sequelize.transaction(async (t) => {
        const row = await blog.models.Vote.findByPk(1, { transaction: t });
        for (let value = 2; value <= 11; value++) await row!.update({ value }, { transaction: t });
      });
      const after = blog.sweeper.stats();
      expect(after.invalidations - before.invalidations).toBe(3); // Vote#1, Comment#1, Article#1
      expect(after.roundTrips - before.roundTrips).toBe(1);
    });
  });

  it("a path's queries run inside the write's transaction and see its uncommitted rows", async () => {
    await blog.pages.article(2);
    await blog.db.sequelize.transaction(async (t) => {
      // Created without hooks: only the vote's path, comment -> article, can find article 2.
      const comment = await blog.models.Comment.create(
        { articleId: 2, body: 'five' },
        { transaction: t, hooks: false },
      );
      await vote(comment.get('id') as number, t);
    });
    expect(await blog.pages.article(2)).toContain('five: 1 votes');
  });

  describe('the stale-set race', () => {
    it('a render between the write and the commit caches the old data under the old token only', async () => {
      const t = await transaction();
      await vote(1, t);
      expect(await blog.pages.article(1)).toContain('one: 1 votes'); // the committed state, cached
      await t.commit();
      expect(await blog.pages.article(1)).toBe(await blog.pages.uncachedArticle(1));
      expect(await blog.pages.article(1)).toContain('one: 2 votes');
    });

    it('a render that read the token before the commit and its data after it leaves no stale page', async () => {
      const t = await transaction();
      await vote(1, t);
      let started!: () => void;
      const renderStarted = new Promise<void>((resolve) => {
        started = resolve;
      });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const slow = blog.sweeper.fragment({ model: 'Comment', id: 1 }, 0, ['comment'], async () => {
        started();
        await gate;
        return blog.pages.uncachedComment(1);
      });
      await renderStarted;
      await t.commit();
      release();
      expect(await slow).toBe('<li>one: 2 votes</li>');
      await blog.sweeper.idle();
      expect(await blog.pages.comment(1)).toBe(await blog.pages.uncachedComment(1));
    });

    it('a render between the write and a rollback caches nothing that outlives the rollback', async () => {
      const t = await transaction();
      await blog.models.Comment.update({ body: 'uncommitted' }, { where: { id: 2 }, transaction: t });
      await blog.pages.comment(2);
      await t.rollback();
      expect(await blog.pages.comment(2)).toBe(await blog.pages.uncachedComment(2));
      expect(await blog.pages.comment(2)).toBe('<li>two: 0 votes</li>');
    });
  });
});
