import type { Model } from 'sequelize';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BlogFixture, blogExpectations, openBlog, warmBlog } from './support/blog-fixture';
import { DIALECTS } from './support/databases';
import { selectsDuring } from './support/queries';

describe.each(DIALECTS)('rows the app already loaded, on %s', (dialect) => {
  let blog: BlogFixture;
  beforeEach(async () => {
    blog = await openBlog(dialect, 'loaded');
    await warmBlog(blog);
  });
  afterEach(() => blog.close());
  const { expectArticleFresh, expectCommentFresh, expectStillCached } = blogExpectations(() => blog);

  const loadComment = async (id: number, attributes = ['id', 'articleId']) =>
    (await blog.models.Comment.findByPk(id, { attributes })) as Model;
  const selects = (work: () => Promise<unknown>) => selectsDuring(blog.db.sequelize, work);

  it('a vote created with its comment passed as loaded runs no SELECT', async () => {
    const comment = await loadComment(2);
    const ran = await selects(() => blog.models.Vote.create({ commentId: 2 }, { cachesweeper: { loaded: [comment] } }));
    expect(ran).toEqual([]);
  });

  it('a vote created with its comment passed as loaded invalidates the comment and its article', async () => {
    const comment = await loadComment(2);
    await blog.models.Vote.create({ commentId: 2 }, { cachesweeper: { loaded: [comment] } });
    await expectCommentFresh(2);
    await expectArticleFresh(1);
  });

  it('inside a transaction, a loaded comment spares the query too, and the article is invalidated at commit', async () => {
    const comment = await loadComment(3);
    const ran = await selects(() =>
      blog.db.sequelize.transaction((transaction) =>
        blog.models.Vote.create({ commentId: 3 }, { transaction, cachesweeper: { loaded: [comment] } }),
      ),
    );
    expect(ran).toEqual([]);
    await expectArticleFresh(2);
  });

  it('a vote loaded with its comment included runs no SELECT when saved again', async () => {
    const vote = await blog.models.Vote.findByPk(1, {
      include: [{ association: 'comment', attributes: ['id', 'articleId'] }],
    });
    const ran = await selects(() => vote!.update({ value: 5 }));
    expect(ran).toEqual([]);
    await expectArticleFresh(1);
  });

  it('a comment the app assigned to the vote (vote.comment = comment) counts as loaded', async () => {
    const vote = blog.models.Vote.build({ commentId: 4 });
    Object.assign(vote, { comment: await loadComment(4) });
    const ran = await selects(() => vote.save());
    expect(ran).toEqual([]);
    await expectArticleFresh(2);
  });

  it("a loaded comment that is not the vote's comment is ignored, and the path is queried", async () => {
    const other = await loadComment(1);
    const ran = await selects(() => blog.models.Vote.create({ commentId: 3 }, { cachesweeper: { loaded: [other] } }));
    expect(ran).toHaveLength(1);
    await expectArticleFresh(2);
  });

  it('a loaded comment without the attribute the next step needs (articleId) is ignored', async () => {
    const comment = await loadComment(3, ['id']);
    const ran = await selects(() => blog.models.Vote.create({ commentId: 3 }, { cachesweeper: { loaded: [comment] } }));
    expect(ran).toHaveLength(1);
    await expectArticleFresh(2);
  });

  it('a loaded comment with an unsaved change to articleId is ignored: the database says where it is', async () => {
    const comment = await loadComment(1);
    comment.set('articleId', 2);
    await blog.models.Vote.create({ commentId: 1 }, { cachesweeper: { loaded: [comment] } });
    await expectArticleFresh(1);
    await expectStillCached('article', 2);
  });

  it('a vote moved by Model.update with both comments loaded reads only the vote it pins', async () => {
    const comments = [await loadComment(1), await loadComment(3)];
    const ran = await selects(() =>
      blog.models.Vote.update({ commentId: 3 }, { where: { id: 1 }, cachesweeper: { loaded: comments } }),
    );
    expect(ran).toHaveLength(1);
    for (const id of [1, 2]) await expectArticleFresh(id);
  });

  it('installation.invalidate takes loaded rows too', async () => {
    const vote = (await blog.models.Vote.findByPk(1)) as Model;
    const comment = await loadComment(1);
    await blog.models.Vote.update({ value: 2 }, { where: { id: 1 }, hooks: false });
    const ran = await selects(() => blog.installation.invalidate(vote, { loaded: [comment] }));
    expect(ran).toEqual([]);
    await expectArticleFresh(1);
  });

  it('a malformed cachesweeper option is refused before anything is written', async () => {
    const loaded = [null] as unknown as Model[];
    await expect(blog.models.Vote.create({ commentId: 1 }, { cachesweeper: { loaded } })).rejects.toThrow(
      '[cachesweeper] [sequelize] options.cachesweeper.loaded[0] must be a model instance, got null',
    );
    expect(await blog.models.Vote.count()).toBe(1);
  });

  it('an unknown cachesweeper option is refused by name', async () => {
    const cachesweeper = { load: [] } as never;
    await expect(blog.models.Vote.destroy({ where: { id: 1 }, cachesweeper })).rejects.toThrow(
      'options.cachesweeper: unknown option "load"; it takes loaded',
    );
  });

  it("the installer's own reads run none of the app's find hooks", async () => {
    let finds = 0;
    for (const model of [blog.models.Comment, blog.models.Vote]) {
      model.addHook('afterFind', () => {
        finds++;
      });
    }
    await blog.models.Vote.create({ commentId: 2 });
    await blog.models.Vote.update({ commentId: 4 }, { where: { id: 1 } });
    expect(finds).toBe(0);
  });
});

describe('the cachesweeper write option', () => {
  it('is typed on every write (module augmentation of sequelize)', () => {
    type Loaded = NonNullable<import('sequelize').CreateOptions['cachesweeper']>['loaded'];
    const check = (loaded: Loaded) => loaded;
    // @ts-expect-error loaded is an array of instances
    check(3);
    expect(check(undefined)).toBeUndefined();
  });
});
