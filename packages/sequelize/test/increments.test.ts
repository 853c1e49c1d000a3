import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installSweeper } from '../src';
import { BLOG_RULES, type BlogModels, defineBlog, seedBlog } from './support/blog';
import { type BlogFixture, blogExpectations, openBlog, warmBlog } from './support/blog-fixture';
import { DIALECTS, openDatabase, type TestDatabase } from './support/databases';
import { selectsDuring } from './support/queries';

// Sequelize's own list of hook types: every hook that a write could run.
const { hooks } = createRequire(import.meta.url)('sequelize/lib/hooks') as { hooks: Record<string, unknown> };
const WRITE_HOOKS = Object.keys(hooks).filter((name) =>
  /Create|Update|Save|Destroy|Restore|Upsert|Validate/.test(name),
);

describe.each(DIALECTS)('Sequelize 6.37 runs no hooks for increment and decrement on %s', (dialect) => {
  let db: TestDatabase;
  let models: BlogModels;
  const fired: string[] = [];
  beforeEach(async () => {
    db = await openDatabase(dialect, 'inc_hooks');
    models = defineBlog(db.sequelize);
    await db.sequelize.sync();
    await seedBlog(models);
    fired.length = 0;
    const host = db.sequelize as unknown as { addHook(type: string, name: string, fn: () => void): void };
    for (const name of WRITE_HOOKS) host.addHook(name, 'probe', () => fired.push(name));
  });
  afterEach(() => db.close());

  it('lists the write hooks it checks', () => {
    expect(WRITE_HOOKS).toEqual(expect.arrayContaining(['afterSave', 'afterUpdate', 'afterBulkUpdate']));
  });

  it('instance.increment and instance.decrement run none', async () => {
    const vote = await models.Vote.findByPk(1);
    await vote!.increment('value');
    await vote!.decrement('value', { by: 2 });
    expect(fired).toEqual([]);
  });

  it('Model.increment and Model.decrement with a where run none', async () => {
    await models.Vote.increment('value', { where: { id: 1 } });
    await models.Vote.decrement({ value: 2 }, { where: { commentId: 1 } });
    expect(fired).toEqual([]);
  });

  it('an update runs them (the probe works)', async () => {
    await (await models.Vote.findByPk(1))!.update({ value: 5 });
    expect(fired).toContain('afterUpdate');
  });
});

describe.each(DIALECTS)('increment and decrement invalidate on %s', (dialect) => {
  let blog: BlogFixture;
  beforeEach(async () => {
    blog = await openBlog(dialect, 'inc');
    await warmBlog(blog);
  });
  afterEach(() => blog.close());
  const { expectArticleFresh, expectCommentFresh, expectStillCached } = blogExpectations(() => blog);

  it('instance.increment invalidates the row’s parents, and resolves to the instance', async () => {
    const vote = await blog.models.Vote.findByPk(1);
    expect(await vote!.increment('value', { by: 5 })).toBe(vote);
    expect(await blog.pages.comment(1)).toBe('<li>one: 6 votes</li>');
    await expectArticleFresh(1);
    await expectStillCached('comment', 2);
  });

  it('instance.decrement invalidates the row’s parents', async () => {
    const vote = await blog.models.Vote.findByPk(1);
    await vote!.decrement('value', { by: 3 });
    expect(await blog.pages.comment(1)).toBe('<li>one: -2 votes</li>');
    await expectArticleFresh(1);
  });

  it('Model.increment with a where pinning the primary key invalidates those rows, and keeps its result', async () => {
    const result = await blog.models.Vote.increment({ value: 4 }, { where: { id: 1 } });
    expect(Array.isArray(result)).toBe(true);
    expect(await blog.pages.comment(1)).toBe('<li>one: 5 votes</li>');
    await expectArticleFresh(1);
    await expectStillCached('article', 2);
  });

  it('Model.decrement with any other where invalidates every row of the model and of those it reaches', async () => {
    await blog.models.Vote.create({ commentId: 3 }, { hooks: false });
    await blog.pages.comment(3);
    await blog.models.Vote.decrement('value', { where: { value: 1 } });
    for (const id of [1, 3]) await expectCommentFresh(id);
    await expectArticleFresh(2);
  });

  it('an increment of a row loaded without its foreign key reads it first', async () => {
    const vote = await blog.models.Vote.findByPk(1, { attributes: ['id', 'value'] });
    await vote!.increment('value');
    expect(await blog.pages.comment(1)).toBe('<li>one: 2 votes</li>');
  });

  it('an increment takes loaded rows as any write does: no path query', async () => {
    const vote = await blog.models.Vote.findByPk(1);
    const comment = await blog.models.Comment.findByPk(1, { attributes: ['id', 'articleId'] });
    const selects = await selectsDuring(blog.db.sequelize, () =>
      vote!.increment('value', { cachesweeper: { loaded: [comment!] } }),
    );
    expect(selects).toEqual([]);
    await expectArticleFresh(1);
  });

  it('an increment of a fully loaded row reads only the path’s comment, not the row itself', async () => {
    const vote = await blog.models.Vote.findByPk(1);
    const selects = await selectsDuring(blog.db.sequelize, () => vote!.increment('value'));
    expect(selects).toHaveLength(1);
    expect(selects[0]).toMatch(/FROM .*Comments/);
  });

  it('inside a transaction, invalidates after COMMIT and not before', async () => {
    const vote = await blog.models.Vote.findByPk(1);
    await blog.db.sequelize.transaction(async (t) => {
      await vote!.increment('value', { transaction: t });
      await blog.models.Vote.increment('value', { where: { id: 1 }, transaction: t });
      await expectStillCached('comment', 1);
    });
    expect(await blog.pages.comment(1)).toBe('<li>one: 3 votes</li>');
  });

  it('inside a transaction that rolls back, invalidates nothing', async () => {
    const vote = await blog.models.Vote.findByPk(1);
    await expect(
      blog.db.sequelize.transaction(async (t) => {
        await vote!.increment('value', { transaction: t });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await expectStillCached('comment', 1);
    await expectStillCached('article', 1);
  });

  it('an increment that fails invalidates nothing and rejects as Sequelize does', async () => {
    await expect(blog.models.Vote.increment('value', { where: { nope: 1 } as never })).rejects.toThrow();
    await expectStillCached('comment', 1);
  });

  it('a malformed cachesweeper option refuses the increment before it runs', async () => {
    const vote = await blog.models.Vote.findByPk(1);
    await expect(vote!.increment('value', { cachesweeper: { loaded: [null as never] } })).rejects.toThrow(
      '[cachesweeper] [sequelize] options.cachesweeper.loaded[0] must be a model instance, got null',
    );
    expect((await blog.models.Vote.findByPk(1))!.get('value')).toBe(1);
  });

  it('uninstall puts back every model’s increment, and increments stop invalidating', async () => {
    const { Vote } = blog.models;
    expect(Object.hasOwn(Vote, 'increment')).toBe(true);
    blog.installation.uninstall();
    expect(Object.hasOwn(Vote, 'increment')).toBe(false);
    await (await Vote.findByPk(1))!.increment('value');
    await expectStillCached('comment', 1);
  });
});

describe('a model whose increment cannot be wrapped', () => {
  let db: TestDatabase;
  afterEach(() => db.close());

  it('makes installSweeper warn once, naming the model and what to call instead', async () => {
    db = await openDatabase('sqlite', 'inc_frozen');
    const models = defineBlog(db.sequelize);
    Object.defineProperty(models.Vote, 'increment', { value: models.Vote.increment, configurable: false });
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const installation = installSweeper(db.sequelize, BLOG_RULES);
      await db.sequelize.sync();
      await seedBlog(models);
      await models.Vote.increment('value', { where: { id: 1 } }); // Sequelize's own, unwrapped: no second warning
      installation.uninstall();
      expect(warn.mock.calls.map(([message]) => message)).toEqual([
        expect.stringMatching(
          /^\[cachesweeper\] \[sequelize\] cannot wrap Vote\.increment \(.*\): Sequelize runs no hooks for increment\/decrement, so Vote's increments and decrements invalidate nothing; call installation\.invalidate\(rows\) after them$/,
        ),
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});
