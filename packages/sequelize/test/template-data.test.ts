import { TARGET_META } from '@cachesweeper/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toTemplateData } from '../src';
import { type BlogFixture, openBlog } from './support/blog-fixture';
import { DIALECTS } from './support/databases';

describe.each(DIALECTS)('toTemplateData on %s', (dialect) => {
  let blog: BlogFixture;
  beforeEach(async () => {
    blog = await openBlog(dialect, 'data');
  });
  afterEach(() => blog.close());

  const loadArticle = () =>
    blog.models.Article.findByPk(1, { include: [{ association: 'comments', include: ['votes'] }] });

  it('turns an instance into a plain object with its attributes as own properties', async () => {
    const data = blog.installation.toTemplateData(await loadArticle());
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(data).toMatchObject({ id: 1, title: 'First', slug: 'first' });
  });

  it('turns included associations into plain objects, recursively', async () => {
    const data = blog.installation.toTemplateData(await loadArticle()) as {
      comments: { body: string; votes: { value: number }[] }[];
    };
    expect(data.comments.map((comment) => comment.body)).toEqual(['one', 'two']);
    expect(Object.getPrototypeOf(data.comments[0]!.votes[0])).toBe(Object.prototype);
    expect(data.comments[0]!.votes[0]!.value).toBe(1);
  });

  it('marks each object with its model, primary key and token attribute', async () => {
    const article = await loadArticle();
    const data = blog.installation.toTemplateData(article) as Record<symbol, unknown> & { comments: object[] };
    expect(data[TARGET_META]).toEqual({
      model: 'Article',
      id: 1,
      attributes: { updatedAt: article!.get('updatedAt') },
    });
    expect((data.comments[1] as Record<symbol, unknown>)[TARGET_META]).toEqual({ model: 'Comment', id: 2 });
  });

  it('maps arrays and leaves other values as they are', async () => {
    const comments = await blog.models.Comment.findAll({ where: { articleId: 2 }, order: [['id', 'ASC']] });
    const data = toTemplateData([...comments, null, 'text']);
    expect(data.map((item) => (item as { body?: string } | null)?.body ?? item)).toEqual([
      'three',
      'four',
      null,
      'text',
    ]);
  });

  it('does not mark a row loaded without its primary key', async () => {
    const row = await blog.models.Comment.findOne({ attributes: ['body'], where: { id: 1 } });
    expect((toTemplateData(row) as Record<symbol, unknown>)[TARGET_META]).toBeUndefined();
  });

  /** Caches a fragment keyed by the instance, then looks it up keyed by `convert(instance)`. */
  async function lookUpThrough(convert: (article: unknown) => object): Promise<string> {
    const article = await loadArticle();
    let renders = 0;
    const render = () => `render ${++renders}`;
    await blog.sweeper.fragment(article!, 0, ['page'], render);
    await blog.sweeper.idle();
    return blog.sweeper.fragment(convert(article), 0, ['page'], render);
  }

  it('keys a fragment exactly as the instance it came from', async () => {
    expect(await lookUpThrough((article) => blog.installation.toTemplateData(article) as object)).toBe('render 1');
  });

  it('without a sweeper, leaves the token attribute to be read from the data itself', async () => {
    expect(await lookUpThrough((article) => toTemplateData(article) as object)).toBe('render 1');
  });
});
