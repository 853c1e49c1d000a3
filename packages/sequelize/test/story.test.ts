import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BlogFixture, openBlog } from './support/blog-fixture';
import { DIALECTS } from './support/databases';

describe.each(DIALECTS)('the django-cache-sweeper story on %s', (dialect) => {
  let blog: BlogFixture;
  beforeEach(async () => {
    blog = await openBlog(dialect, 'story');
    await blog.pages.article(1);
    for (const id of [1, 2]) await blog.pages.comment(id);
  });
  afterEach(() => blog.close());

  it('serves the article page and comment fragments from the cache until something changes', async () => {
    const { pages } = blog;
    expect(await pages.article(1)).toBe(await pages.uncachedArticle(1));
    expect(await pages.comment(1)).toBe(await pages.uncachedComment(1));
    expect([pages.count('Article#1'), pages.count('Comment#1'), pages.count('Comment#2')]).toEqual([1, 1, 1]);
  });

  it('a vote re-renders its comment fragment with the new count', async () => {
    await blog.models.Vote.create({ commentId: 1, value: 1 });
    expect(await blog.pages.comment(1)).toBe('<li>one: 2 votes</li>');
    expect(blog.pages.count('Comment#1')).toBe(2);
  });

  it('a vote re-renders the whole article page although Article is keyed by updatedAt', async () => {
    await blog.models.Vote.create({ commentId: 2, value: 1 });
    expect(await blog.pages.article(1)).toBe(await blog.pages.uncachedArticle(1));
    expect(blog.pages.count('Article#1')).toBe(2);
  });

  it("a vote leaves the other comments' fragments cached", async () => {
    await blog.models.Vote.create({ commentId: 1, value: 1 });
    await blog.pages.comment(2);
    expect(blog.pages.count('Comment#2')).toBe(1);
  });

  it('a vote leaves other articles cached', async () => {
    await blog.pages.article(2);
    await blog.models.Vote.create({ commentId: 1, value: 1 });
    await blog.pages.article(2);
    expect(blog.pages.count('Article#2')).toBe(1);
  });

  it('saving an article invalidates it by its updatedAt', async () => {
    const article = await blog.models.Article.findByPk(1);
    await article!.update({ title: 'First, edited' });
    expect(await blog.pages.article(1)).toContain('<h1>First, edited</h1>');
  });
});
