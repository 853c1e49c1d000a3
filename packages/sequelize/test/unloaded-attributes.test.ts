import type { CacheSweeperError } from '@cachesweeper/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BlogFixture, blogExpectations, openBlog, warmBlog } from './support/blog-fixture';
import { DIALECTS } from './support/databases';
import { failCommentReads, selectsDuring } from './support/queries';

// Issue 15: a row loaded without the foreign key its rule follows, then moved or destroyed.
describe.each(DIALECTS)('writes of instances loaded without their foreign keys on %s', (dialect) => {
  let blog: BlogFixture;
  beforeEach(async () => {
    blog = await openBlog(dialect, 'unloaded');
    await warmBlog(blog);
  });
  afterEach(() => blog.close());
  const { expectArticleFresh, expectCommentFresh, expectStillCached } = blogExpectations(() => blog);
  const bodyOnly = { attributes: ['id', 'body'] };

  it('moving a comment loaded without articleId invalidates the article it left', async () => {
    const comment = await blog.models.Comment.findByPk(1, bodyOnly);
    await comment!.update({ articleId: 2 });
    expect(await blog.pages.article(1)).not.toContain('one');
    await expectArticleFresh(1);
    await expectArticleFresh(2);
  });

  it('editing a comment loaded without articleId invalidates its article', async () => {
    const comment = await blog.models.Comment.findByPk(3, bodyOnly);
    await comment!.update({ body: 'three, edited' });
    expect(await blog.pages.article(2)).toContain('three, edited');
    await expectStillCached('article', 1);
  });

  it('destroying a comment loaded without articleId invalidates its article', async () => {
    const comment = await blog.models.Comment.findByPk(2, bodyOnly);
    await comment!.destroy();
    expect(await blog.pages.article(1)).not.toContain('two');
    await expectCommentFresh(2);
  });

  it('a forced destroy of a comment loaded without articleId invalidates its article', async () => {
    await blog.models.Vote.destroy({ where: { commentId: 2 } });
    await blog.pages.article(1);
    const comment = await blog.models.Comment.findByPk(2, bodyOnly);
    await comment!.destroy({ force: true });
    await expectArticleFresh(1);
  });

  it('restoring a comment loaded without articleId invalidates its article', async () => {
    await (await blog.models.Comment.findByPk(2))!.destroy();
    await blog.pages.article(1);
    const comment = await blog.models.Comment.findByPk(2, { attributes: ['id', 'deletedAt'], paranoid: false });
    await comment!.restore();
    expect(await blog.pages.article(1)).toContain('two');
  });

  it('a belongsTo setter on a comment loaded without articleId invalidates both articles', async () => {
    const comment = await blog.models.Comment.findByPk(4, bodyOnly);
    await (comment as unknown as { setArticle(id: number): Promise<unknown> }).setArticle(1);
    await expectArticleFresh(1);
    await expectArticleFresh(2);
  });

  it('moving a vote loaded without commentId invalidates the comment and article it left, two steps away', async () => {
    const vote = await blog.models.Vote.findByPk(1, { attributes: ['id', 'value'] });
    await vote!.update({ commentId: 3 });
    for (const id of [1, 3]) await expectCommentFresh(id);
    for (const id of [1, 2]) await expectArticleFresh(id);
  });

  it('the foreign key is read inside the write’s transaction, and nothing is invalidated before COMMIT', async () => {
    const comment = await blog.models.Comment.findByPk(1, bodyOnly);
    const t = await blog.db.sequelize.transaction();
    try {
      const selects = await selectsDuring(blog.db.sequelize, () =>
        comment!.update({ articleId: 2 }, { transaction: t }),
      );
      expect(selects.filter((sql) => /articleId/.test(sql) && /Comments/.test(sql))).toHaveLength(1);
      await expectStillCached('article', 1);
      await t.commit();
    } finally {
      if (!(t as unknown as { finished?: string }).finished) await t.rollback();
    }
    await expectArticleFresh(1);
  });

  it('an instance that loaded its foreign keys costs no extra query', async () => {
    const comment = await blog.models.Comment.findByPk(1);
    const selects = await selectsDuring(blog.db.sequelize, () => comment!.update({ articleId: 2 }));
    expect(selects).toEqual([]);
  });

  it('when the foreign key cannot be read, every article is invalidated and the failure reported', async () => {
    const errors: CacheSweeperError[] = [];
    await blog.close();
    blog = await openBlog(dialect, 'unloaded_fail', { onError: (error) => errors.push(error) });
    await warmBlog(blog);
    const comment = await blog.models.Comment.findByPk(1, bodyOnly);
    const restore = failCommentReads(blog.db.sequelize, 'injected: read failed');
    await comment!.update({ body: 'one, edited' });
    restore();
    await expectArticleFresh(1);
    await blog.pages.article(2);
    expect(blog.pages.count('Article#2')).toBe(2);
    expect(errors.map((error) => error.message)).toEqual([
      '[cachesweeper] [sequelize] invalidation: injected: read failed',
    ]);
  });
});

describe.each(DIALECTS)('bulk writes and upserts whose values leave the foreign key out on %s', (dialect) => {
  let blog: BlogFixture;
  beforeEach(async () => {
    blog = await openBlog(dialect, 'unloaded_bulk');
    await warmBlog(blog);
  });
  afterEach(() => blog.close());
  const { expectArticleFresh, expectStillCached } = blogExpectations(() => blog);

  it('bulkCreate with updateOnDuplicate invalidates the article of the row it updated', async () => {
    await blog.models.Comment.bulkCreate([{ id: 3, body: 'three, bulk' }], { updateOnDuplicate: ['body'] });
    expect(await blog.pages.article(2)).toContain('three, bulk');
    await expectStillCached('article', 1);
  });

  it('bulkCreate with updateOnDuplicate by a key it was not given invalidates every article', async () => {
    await blog.models.Article.bulkCreate([{ slug: 'second', title: 'Second, bulk' }], {
      updateOnDuplicate: ['title'],
    });
    expect(await blog.pages.article(2)).toContain('Second, bulk');
  });

  it('upsert by primary key invalidates the article of the row it updated', async () => {
    await blog.models.Comment.upsert({ id: 3, body: 'three, upserted' });
    expect(await blog.pages.article(2)).toContain('three, upserted');
    await expectStillCached('article', 1);
  });

  it('Model.update pinning the primary key invalidates the article of the row it updated', async () => {
    await blog.models.Comment.update({ body: 'four, updated' }, { where: { id: 4 } });
    expect(await blog.pages.article(2)).toContain('four, updated');
    await expectArticleFresh(2);
  });
});

describe('a foreign key read on postgres while another transaction moves the row', () => {
  let blog: BlogFixture;
  beforeEach(async () => {
    blog = await openBlog('postgres', 'unloaded_race');
    await blog.models.Article.create({ title: 'Third', slug: 'third' });
  });
  afterEach(() => blog.close());

  /** Resolves once a statement on this test's schema waits for a row lock held by another transaction. */
  async function someoneWaitsForALock(): Promise<void> {
    const { schema } = blog.models.Comment.getTableName() as unknown as { schema: string };
    for (let tries = 0; tries < 400; tries++) {
      const [row] = (await blog.db.sequelize.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%"${schema}"%'`,
        { type: 'SELECT' },
      )) as { n: number }[];
      if ((row?.n ?? 0) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('no statement ever waited for the lock');
  }

  it('reads the value the write replaces, so the article the row passed through is invalidated', async () => {
    const { Comment } = blog.models;
    const comment = await Comment.findByPk(1, { attributes: ['id', 'body'] });
    const mover = await blog.db.sequelize.transaction();
    const writer = await blog.db.sequelize.transaction();
    try {
      // Another request moves comment 1 from article 1 to article 2 and holds the row until it commits.
      await (await Comment.findByPk(1, { transaction: mover }))!.update({ articleId: 2 }, { transaction: mover });
      const moving = comment!.update({ articleId: 3 }, { transaction: writer });
      await someoneWaitsForALock();
      await mover.commit();
      await moving;
      // Between the two commits article 2 is rendered with the comment it holds now.
      expect(await blog.pages.article(2)).toContain('one');
      await writer.commit();
    } finally {
      for (const t of [mover, writer]) if (!(t as unknown as { finished?: string }).finished) await t.rollback();
    }
    expect(await blog.pages.article(2)).toBe(await blog.pages.uncachedArticle(2));
    expect(await blog.pages.article(3)).toContain('one');
  });
});
