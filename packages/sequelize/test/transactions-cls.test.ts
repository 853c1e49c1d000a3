import cls from 'cls-hooked';
import { Sequelize } from 'sequelize';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type BlogFixture, openBlog } from './support/blog-fixture';
import { DIALECTS } from './support/databases';

// Sequelize 6 keeps the CLS namespace on its class, for the whole process: this file
// runs in its own worker, so the other test files run without CLS.
beforeAll(() => {
  Sequelize.useCLS(cls.createNamespace('cachesweeper-sequelize-test'));
});

describe.each(DIALECTS)('transactions found through CLS on %s', (dialect) => {
  let blog: BlogFixture;
  beforeEach(async () => {
    blog = await openBlog(dialect, 'cls');
    for (const id of [1, 2]) await blog.pages.article(id);
    for (const id of [1, 2, 3]) await blog.pages.comment(id);
  });
  afterEach(() => blog.close());

  it('a write that names no transaction is invalidated after the CLS transaction commits', async () => {
    await blog.db.sequelize.transaction(async () => {
      await blog.models.Vote.create({ commentId: 1 });
      await blog.pages.comment(1);
      expect(blog.pages.count('Comment#1')).toBe(1);
    });
    expect(await blog.pages.comment(1)).toBe('<li>one: 2 votes</li>');
    expect(await blog.pages.article(1)).toBe(await blog.pages.uncachedArticle(1));
  });

  it('a CLS transaction that rolls back invalidates nothing', async () => {
    await expect(
      blog.db.sequelize.transaction(async () => {
        await blog.models.Vote.create({ commentId: 1 });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await blog.pages.comment(1);
    expect(blog.pages.count('Comment#1')).toBe(1);
  });

  it("a path's queries run inside the CLS transaction", async () => {
    await blog.db.sequelize.transaction(async () => {
      const comment = await blog.models.Comment.create({ articleId: 2, body: 'five' }, { hooks: false });
      await blog.models.Vote.create({ commentId: comment.get('id') });
    });
    expect(await blog.pages.article(2)).toContain('five: 1 votes');
  });

  it('installation.invalidate inside a CLS transaction waits for its commit', async () => {
    await blog.db.sequelize.transaction(async () => {
      const vote = await blog.models.Vote.findByPk(1);
      await vote!.update({ value: 3 }, { hooks: false });
      await blog.installation.invalidate(vote!);
      await blog.pages.comment(1);
      expect(blog.pages.count('Comment#1')).toBe(1);
    });
    expect(await blog.pages.comment(1)).toBe('<li>one: 3 votes</li>');
  });

  it('an increment that names no transaction is invalidated after the CLS transaction commits', async () => {
    await blog.db.sequelize.transaction(async () => {
      await blog.models.Vote.increment('value', { by: 2, where: { id: 1 } });
      await blog.pages.comment(1);
      expect(blog.pages.count('Comment#1')).toBe(1);
    });
    expect(await blog.pages.comment(1)).toBe('<li>one: 3 votes</li>');
    expect(await blog.pages.article(1)).toBe(await blog.pages.uncachedArticle(1));
  });

  it('a write with transaction: null inside a CLS transaction is invalidated at once', async () => {
    await blog.db.sequelize.transaction(async () => {
      await blog.models.Vote.create({ commentId: 3 }, { transaction: null });
      expect(await blog.pages.comment(3)).toBe('<li>three: 1 votes</li>');
    });
  });
});
