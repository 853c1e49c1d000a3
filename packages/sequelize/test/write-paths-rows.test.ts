import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BlogFixture, blogExpectations, openBlog, warmBlog } from './support/blog-fixture';
import { DIALECTS } from './support/databases';

describe.each(DIALECTS)('writes of single rows on %s', (dialect) => {
  let blog: BlogFixture;
  beforeEach(async () => {
    blog = await openBlog(dialect, 'rows');
    await warmBlog(blog);
  });
  afterEach(() => blog.close());
  const { expectArticleFresh, expectCommentFresh, expectStillCached } = blogExpectations(() => blog);

  it('create invalidates the parent page', async () => {
    await blog.models.Comment.create({ articleId: 1, body: 'five' });
    expect(await blog.pages.article(1)).toContain('five');
    await expectArticleFresh(1);
  });

  it('create leaves other parents cached', async () => {
    await blog.models.Comment.create({ articleId: 1, body: 'five' });
    await expectStillCached('article', 2);
  });

  it('findOrCreate invalidates after its own transaction commits', async () => {
    await blog.models.Comment.findOrCreate({ where: { articleId: 2, body: 'five' } });
    expect(await blog.pages.article(2)).toContain('five');
    await expectStillCached('article', 1);
  });

  it("update invalidates the row's own fragment", async () => {
    const comment = await blog.models.Comment.findByPk(1);
    await comment!.update({ body: 'one, edited' });
    expect(await blog.pages.comment(1)).toContain('one, edited');
  });

  it('update invalidates the parent page and leaves sibling fragments cached', async () => {
    const comment = await blog.models.Comment.findByPk(1);
    await comment!.update({ body: 'one, edited' });
    await expectArticleFresh(1);
    await expectStillCached('comment', 2);
  });

  it('save of a changed attribute invalidates like update', async () => {
    const comment = await blog.models.Comment.findByPk(2);
    comment!.set('body', 'two, saved');
    await comment!.save();
    await expectCommentFresh(2);
    await expectArticleFresh(1);
  });

  it('moving a comment to another article invalidates the old and the new article', async () => {
    const comment = await blog.models.Comment.findByPk(1);
    await comment!.update({ articleId: 2 });
    await expectArticleFresh(1);
    await expectArticleFresh(2);
  });

  it('a foreign key set from a string (a form field) invalidates the right parent', async () => {
    const comment = await blog.models.Comment.findByPk(1);
    await comment!.update({ articleId: '2' });
    await expectArticleFresh(2);
  });

  it('moving a vote invalidates both comments and both articles, two steps away', async () => {
    const vote = await blog.models.Vote.findByPk(1);
    await vote!.update({ commentId: 3 });
    for (const id of [1, 3]) await expectCommentFresh(id);
    for (const id of [1, 2]) await expectArticleFresh(id);
  });

  it('a paranoid destroy invalidates the row and its parent', async () => {
    const comment = await blog.models.Comment.findByPk(2);
    await comment!.destroy();
    expect(await blog.pages.article(1)).not.toContain('two');
    await expectCommentFresh(2);
  });

  it('a forced destroy of a paranoid row invalidates its parent', async () => {
    await blog.models.Vote.destroy({ where: { commentId: 2 } });
    const comment = await blog.models.Comment.findByPk(2);
    await comment!.destroy({ force: true });
    await expectArticleFresh(1);
  });

  it('destroying a vote invalidates its comment and its article', async () => {
    const vote = await blog.models.Vote.findByPk(1);
    await vote!.destroy();
    await expectCommentFresh(1);
    await expectArticleFresh(1);
  });

  it('restore invalidates the row and its parent', async () => {
    const comment = await blog.models.Comment.findByPk(2);
    await comment!.destroy();
    await blog.pages.article(1);
    await blog.pages.comment(2);
    await comment!.restore();
    expect(await blog.pages.article(1)).toContain('two');
    await expectCommentFresh(2);
  });

  it('upsert with the primary key invalidates that row', async () => {
    await blog.models.Comment.upsert({ id: 3, articleId: 2, body: 'three, upserted' });
    expect(await blog.pages.comment(3)).toContain('three, upserted');
    await expectArticleFresh(2);
  });

  it('upsert that moves a row invalidates the old and the new parent', async () => {
    await blog.models.Comment.upsert({ id: 3, articleId: 1, body: 'three' });
    await expectArticleFresh(1);
    await expectArticleFresh(2);
  });

  it('upsert by a unique key invalidates the row it updated', async () => {
    await blog.models.Article.upsert({ slug: 'second', title: 'Second, upserted' });
    expect(await blog.pages.article(2)).toContain('Second, upserted');
  });

  it('upsert that inserts invalidates nothing it should not', async () => {
    await blog.models.Article.upsert({ slug: 'third', title: 'Third' });
    await expectStillCached('article', 1);
    await expectStillCached('article', 2);
  });

  it('a silent update still invalidates a row keyed by updatedAt and a counter', async () => {
    const article = await blog.models.Article.findByPk(1);
    await article!.update({ title: 'First, silently' }, { silent: true });
    expect(await blog.pages.article(1)).toContain('First, silently');
  });

  it('a write with hooks: false invalidates nothing until installation.invalidate', async () => {
    const vote = await blog.models.Vote.findByPk(1);
    await vote!.update({ value: 6 }, { hooks: false });
    expect(await blog.pages.comment(1)).toBe('<li>one: 1 votes</li>');
    await blog.installation.invalidate(vote!);
    expect(await blog.pages.comment(1)).toBe('<li>one: 6 votes</li>');
    await expectArticleFresh(1);
  });

  it('installation.invalidate of a row loaded without its foreign key reads it', async () => {
    await blog.models.Vote.update({ value: 6 }, { where: { id: 1 }, hooks: false });
    const vote = await blog.models.Vote.findByPk(1, { attributes: ['id'] });
    await blog.installation.invalidate(vote!);
    expect(await blog.pages.comment(1)).toBe('<li>one: 6 votes</li>');
    await expectArticleFresh(1);
  });

  it('a raw query fires no hooks: sweeper.invalidate on a reference fixes the fragment', async () => {
    const table = blog.models.Comment.getTableName();
    await blog.db.sequelize.getQueryInterface().bulkUpdate(table, { body: 'raw' }, { id: 4 });
    expect(await blog.pages.comment(4)).toContain('four');
    await blog.sweeper.invalidate({ model: 'Comment', id: 4 });
    expect(await blog.pages.comment(4)).toContain('raw');
  });
});
