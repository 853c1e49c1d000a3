import { Op } from 'sequelize';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BlogFixture, blogExpectations, openBlog, warmBlog } from './support/blog-fixture';
import { DIALECTS } from './support/databases';

describe.each(DIALECTS)('bulk writes on %s', (dialect) => {
  let blog: BlogFixture;
  beforeEach(async () => {
    blog = await openBlog(dialect, 'bulk');
    await warmBlog(blog);
  });
  afterEach(() => blog.close());
  const { expectArticleFresh, expectCommentFresh, expectStillCached } = blogExpectations(() => blog);

  describe('bulkCreate', () => {
    it('invalidates the parents of the new rows', async () => {
      await blog.models.Comment.bulkCreate([
        { articleId: 2, body: 'five' },
        { articleId: 2, body: 'six' },
      ]);
      expect(await blog.pages.article(2)).toContain('six');
      await expectStillCached('article', 1);
    });

    it('with individualHooks invalidates the same way', async () => {
      await blog.models.Vote.bulkCreate([{ commentId: 3 }, { commentId: 3 }], { individualHooks: true });
      expect(await blog.pages.comment(3)).toBe('<li>three: 2 votes</li>');
      await expectArticleFresh(2);
      await expectStillCached('article', 1);
    });

    it('with updateOnDuplicate invalidates the overwritten rows and their old and new parents', async () => {
      await blog.models.Comment.bulkCreate([{ id: 1, articleId: 2, body: 'one, moved' }], {
        updateOnDuplicate: ['body', 'articleId'],
      });
      await expectCommentFresh(1);
      await expectArticleFresh(1);
      await expectArticleFresh(2);
    });

    it('with ignoreDuplicates invalidates the parents of the rows it may have inserted', async () => {
      await blog.models.Comment.bulkCreate([{ articleId: 1, body: 'five' }], { ignoreDuplicates: true });
      expect(await blog.pages.article(1)).toContain('five');
    });
  });

  describe('Model.update', () => {
    it('with a where that pins primary keys invalidates those rows and their parents only', async () => {
      await blog.models.Comment.update({ body: 'one, bulk' }, { where: { id: 1 } });
      expect(await blog.pages.comment(1)).toContain('one, bulk');
      await expectArticleFresh(1);
      await expectStillCached('comment', 2);
      await expectStillCached('article', 2);
    });

    it('pinned with Op.in and moving rows invalidates the old and the new parents', async () => {
      await blog.models.Comment.update({ articleId: 2 }, { where: { id: { [Op.in]: [1, 2] } } });
      await expectArticleFresh(1);
      await expectArticleFresh(2);
      await expectStillCached('comment', 3);
    });

    it('on votes follows both paths, two steps away', async () => {
      await blog.models.Vote.update({ value: 10 }, { where: { id: 1 } });
      expect(await blog.pages.comment(1)).toBe('<li>one: 10 votes</li>');
      await expectArticleFresh(1);
      await expectStillCached('article', 2);
    });

    it('with a where that does not pin keys invalidates every row of the model and of the models it reaches', async () => {
      await blog.models.Comment.update({ body: 'same' }, { where: { body: { [Op.like]: 't%' } } });
      for (const id of [1, 2, 3, 4]) await expectCommentFresh(id);
      for (const id of [1, 2]) await expectArticleFresh(id);
    });

    it('with individualHooks invalidates only the rows it found', async () => {
      await blog.models.Comment.update(
        { body: 'matched' },
        { where: { body: { [Op.like]: 'thr%' } }, individualHooks: true },
      );
      await expectCommentFresh(3);
      await expectArticleFresh(2);
      await expectStillCached('comment', 4);
      await expectStillCached('article', 1);
    });

    it('through an association setter (hasMany add) invalidates the old and the new parent', async () => {
      const article = await blog.models.Article.findByPk(2);
      await (article as unknown as { addComment(id: number): Promise<void> }).addComment(1);
      await expectArticleFresh(1);
      await expectArticleFresh(2);
    });
  });

  describe('Model.destroy', () => {
    it('pinned, on a paranoid model, invalidates the rows and their parents only', async () => {
      await blog.models.Comment.destroy({ where: { id: 2 } });
      expect(await blog.pages.article(1)).not.toContain('two');
      await expectCommentFresh(2);
      await expectStillCached('article', 2);
    });

    it('pinned and forced invalidates the parents of the deleted rows', async () => {
      await blog.models.Vote.destroy({ where: { id: 1 }, force: true });
      expect(await blog.pages.comment(1)).toBe('<li>one: 0 votes</li>');
      await expectArticleFresh(1);
    });

    it('unpinned invalidates every row of the model and of the models it reaches', async () => {
      await blog.models.Vote.destroy({ where: { value: 1 } });
      await expectCommentFresh(1);
      await expectArticleFresh(1);
    });

    it('unpinned bumps the generations of the model and of the models it reaches in one round', async () => {
      await blog.models.Vote.destroy({ where: { value: 2 } }); // creates the generation counters
      const before = blog.sweeper.stats().roundTrips;
      await blog.models.Vote.destroy({ where: { value: 1 } });
      expect(blog.sweeper.stats().roundTrips - before).toBe(1);
    });

    it('with individualHooks invalidates only the rows it found', async () => {
      await blog.models.Comment.destroy({ where: { body: 'four' }, individualHooks: true });
      expect(await blog.pages.article(2)).not.toContain('four');
      await expectStillCached('article', 1);
    });

    it('with truncate invalidates every row of the model and of the models it reaches', async () => {
      await blog.models.Vote.destroy({ truncate: true });
      expect(await blog.pages.comment(1)).toBe('<li>one: 0 votes</li>');
      await expectArticleFresh(1);
    });
  });

  describe('Model.restore', () => {
    beforeEach(async () => {
      await blog.models.Comment.destroy({ where: { id: [2, 4] } });
      for (const id of [1, 2]) await blog.pages.article(id);
    });

    it('pinned invalidates the restored rows and their parents only', async () => {
      await blog.models.Comment.restore({ where: { id: 2 } });
      expect(await blog.pages.article(1)).toContain('two');
      await expectCommentFresh(2);
      expect(blog.pages.count('Article#2')).toBe(2);
      await expectStillCached('comment', 3);
    });

    it('unpinned invalidates every row of the model and of the models it reaches', async () => {
      await blog.models.Comment.restore({ where: { body: 'four' } });
      expect(await blog.pages.article(2)).toContain('four');
      await expectCommentFresh(4);
    });

    it('with individualHooks invalidates only the rows it found', async () => {
      await blog.models.Comment.restore({ where: { body: 'four' }, individualHooks: true });
      expect(await blog.pages.article(2)).toContain('four');
      await expectStillCached('comment', 3);
    });
  });
});
