import { createSweeper } from '@cachesweeper/core';
import { DataTypes } from 'sequelize';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOOK_NAME, installSweeper, type SweeperRules } from '../src';
import { associateBlog, BLOG_RULES, BlogPages, defineBlog, seedBlog } from './support/blog';
import { DIALECTS, openDatabase, type TestDatabase } from './support/databases';

describe('rule shapes', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await openDatabase('sqlite', 'shapes');
  });
  afterEach(() => db.close());
  const install = (rules: unknown) => () => installSweeper(db.sequelize, rules as SweeperRules);

  it('rules must be an object', () => {
    expect(install(['Article'])).toThrow(
      '[cachesweeper] [sequelize] rules must be an object of rules by model name, got Array ["Article"]',
    );
  });

  it('a rule with an unknown option is refused by name', () => {
    expect(install({ Comment: { invalidate: ['article'] } })).toThrow('rule Comment: unknown option "invalidate"');
  });

  it('"using" must be an attribute name', () => {
    expect(install({ Article: { using: 7 } })).toThrow('rule Article: "using" must be an attribute name, got 7');
  });

  it('"invalidates" must be an array', () => {
    expect(install({ Comment: { invalidates: 'article' } })).toThrow('rule Comment: "invalidates" must be an array');
  });

  it('a path must be aliases joined by dots', () => {
    expect(install({ Vote: { invalidates: ['comment..article'] } })).toThrow(
      `rule Vote: path "comment..article" must be belongsTo aliases joined by dots`,
    );
  });

  it('counter: false needs using', () => {
    expect(install({ Article: { counter: false } })).toThrow('rule Article: "counter: false" needs "using"');
  });
});

describe.each(DIALECTS)('installation on %s', (dialect) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await openDatabase(dialect, 'install');
  });
  afterEach(() => db.close());

  describe('with the models already defined', () => {
    beforeEach(() => {
      defineBlog(db.sequelize);
    });

    it('an unknown association path is an error naming the rule and the path', () => {
      expect(() => installSweeper(db.sequelize, { ...BLOG_RULES, Vote: { invalidates: ['comment.post'] } })).toThrow(
        "rule Vote: path 'comment.post': Comment has no association 'post' (its associations: article, votes)",
      );
    });

    it('a path over a hasMany association is an error naming it', () => {
      expect(() => installSweeper(db.sequelize, { ...BLOG_RULES, Article: { invalidates: ['comments'] } })).toThrow(
        "rule Article: path 'comments': Article.comments is a HasMany association; paths follow belongsTo only",
      );
    });

    it('a using attribute the model lacks is an error naming the rule', () => {
      expect(() => installSweeper(db.sequelize, { ...BLOG_RULES, Article: { using: 'editedAt' } })).toThrow(
        'rule Article: using "editedAt", but Article has no attribute "editedAt"',
      );
    });

    it('a path reaching a model without a rule is an error naming both', () => {
      expect(() => installSweeper(db.sequelize, { Vote: { invalidates: ['comment'] } })).toThrow(
        "rule Vote: path 'comment' reaches Comment, which has no rule; add Comment: {}",
      );
    });

    it('a path reaching a model keyed by its attribute alone is an error', () => {
      expect(() =>
        installSweeper(db.sequelize, { ...BLOG_RULES, Article: { using: 'updatedAt', counter: false } }),
      ).toThrow('rule Comment: path \'article\' reaches Article, which is keyed by "updatedAt" alone (counter: false)');
    });

    it('a sweeper that declared a model differently is an error naming the rule and both specs', () => {
      const sweeper = createSweeper({ models: { Article: { using: 'updatedAt' } } });
      expect(() => installSweeper(db.sequelize, BLOG_RULES, { sweeper })).toThrow(
        '[cachesweeper] [sequelize] rule Article: the sweeper already declares Article as { using: "updatedAt", counter: false, generation: false }, the rule needs { using: "updatedAt", counter: true, generation: true }',
      );
    });

    it('a refused install declares no model on the sweeper', () => {
      const sweeper = createSweeper({ models: { Vote: { counter: true } } });
      expect(() => installSweeper(db.sequelize, BLOG_RULES, { sweeper })).toThrow('rule Vote:');
      expect(['Article', 'Comment'].map((model) => sweeper.declaredSpec(model))).toEqual([undefined, undefined]);
    });

    it('with two arguments it creates a sweeper and declares every ruled model on it', () => {
      const installation = installSweeper(db.sequelize, BLOG_RULES);
      expect(installation.sweeper.tokenSpec('Article')).toEqual({
        using: 'updatedAt',
        counter: true,
        generation: true,
        within: [],
      });
      expect(installation.sweeper.tokenSpec('Vote')).toEqual({
        using: undefined,
        counter: true,
        generation: true,
        within: [],
      });
      installation.uninstall();
    });

    it('uses the sweeper passed in', () => {
      const sweeper = createSweeper();
      const installation = installSweeper(db.sequelize, BLOG_RULES, { sweeper });
      expect(installation.sweeper).toBe(sweeper);
      installation.uninstall();
    });

    it('names its hooks', () => {
      const installation = installSweeper(db.sequelize, BLOG_RULES);
      const hooks = (db.sequelize as unknown as { options: { hooks: Record<string, { name?: string }[]> } }).options
        .hooks;
      expect(hooks.afterCreate?.map((hook) => hook.name)).toContain(HOOK_NAME);
      installation.uninstall();
    });

    it('installing twice on one Sequelize instance throws', () => {
      const installation = installSweeper(db.sequelize, BLOG_RULES);
      expect(() => installSweeper(db.sequelize, BLOG_RULES)).toThrow('already has a sweeper installed');
      installation.uninstall();
    });

    it('installing again after uninstall works', () => {
      installSweeper(db.sequelize, BLOG_RULES).uninstall();
      installSweeper(db.sequelize, BLOG_RULES).uninstall();
    });

    it('invalidateModel refuses a model without a rule', async () => {
      const installation = installSweeper(db.sequelize, BLOG_RULES);
      await expect(installation.invalidateModel('Tag')).rejects.toThrow(
        'invalidateModel("Tag"): no rule names that model',
      );
      installation.uninstall();
    });

    it('invalidate refuses what is not a model instance', async () => {
      const installation = installSweeper(db.sequelize, BLOG_RULES);
      await expect(installation.invalidate({ model: 'Comment', id: 1 } as never)).rejects.toThrow(
        'invalidate takes model instances, got {"model":"Comment","id":1}',
      );
      installation.uninstall();
    });
  });

  describe('with the models defined after installSweeper', () => {
    it('the rules work once the models and associations exist', async () => {
      const installation = installSweeper(db.sequelize, BLOG_RULES);
      const models = defineBlog(db.sequelize);
      await db.sequelize.sync();
      await seedBlog(models);
      const pages = new BlogPages(models, installation.sweeper);
      await pages.article(1);
      await models.Vote.create({ commentId: 2 });
      expect(await pages.article(1)).toBe(await pages.uncachedArticle(1));
      installation.uninstall();
    });

    it('a using attribute the model lacks refuses the first write, naming the rule', async () => {
      const installation = installSweeper(db.sequelize, { Article: { using: 'editedAt' } });
      const Article = db.sequelize.define('Article', { title: DataTypes.STRING });
      await db.sequelize.sync();
      await expect(Article.create({ title: 'x' })).rejects.toThrow(
        'rule Article: using "editedAt", but Article has no attribute "editedAt"',
      );
      installation.uninstall();
    });

    it('a path that does not resolve refuses the first write, naming the rule and the path', async () => {
      const installation = installSweeper(db.sequelize, { ...BLOG_RULES, Vote: { invalidates: ['comment.post'] } });
      const models = defineBlog(db.sequelize);
      await db.sequelize.sync();
      await expect(models.Article.create({ title: 'x' })).rejects.toThrow("rule Vote: path 'comment.post'");
      expect(await models.Article.count()).toBe(0);
      installation.uninstall();
    });

    it('verify() checks every rule at once', () => {
      const installation = installSweeper(db.sequelize, { ...BLOG_RULES, Vote: { invalidates: ['comment.post'] } });
      defineBlog(db.sequelize);
      expect(() => installation.verify()).toThrow("rule Vote: path 'comment.post'");
      installation.uninstall();
    });

    it('a rule for a model that is never defined refuses the first write, naming the rule', async () => {
      const installation = installSweeper(db.sequelize, { ...BLOG_RULES, Tag: {} });
      const models = defineBlog(db.sequelize);
      await db.sequelize.sync();
      await expect(models.Article.create({ title: 'x' })).rejects.toThrow(
        'rule Tag: no model named Tag is defined (defined: Article, Comment, Vote)',
      );
      installation.uninstall();
    });

    it('associations made after install are found at the first write', async () => {
      const Article = db.sequelize.define('Article', { title: DataTypes.STRING });
      const Comment = db.sequelize.define('Comment', { body: DataTypes.STRING }, { paranoid: true });
      const Vote = db.sequelize.define('Vote', { value: DataTypes.INTEGER });
      expect(() => installSweeper(db.sequelize, BLOG_RULES)).toThrow(
        "rule Comment: path 'article': Comment has no association 'article' (its associations: none); define the associations before installSweeper",
      );
      associateBlog({ Article, Comment, Vote });
      installSweeper(db.sequelize, BLOG_RULES).uninstall();
    });
  });

  it("invalidate of a row whose model has no rule bumps that row's counter", async () => {
    const Note = db.sequelize.define('Note', { text: DataTypes.STRING });
    defineBlog(db.sequelize);
    await db.sequelize.sync();
    const installation = installSweeper(db.sequelize, BLOG_RULES);
    const note = await Note.create({ text: 'a' });
    let renders = 0;
    const render = () => `render ${++renders}`;
    await installation.sweeper.fragment(note, 0, [], render);
    await installation.sweeper.idle();
    await installation.invalidate(note);
    expect(await installation.sweeper.fragment(note, 0, [], render)).toBe('render 2');
    installation.uninstall();
  });

  it('after uninstall, writes no longer invalidate', async () => {
    const models = defineBlog(db.sequelize);
    await db.sequelize.sync();
    const installation = installSweeper(db.sequelize, BLOG_RULES);
    await seedBlog(models);
    const pages = new BlogPages(models, installation.sweeper);
    await pages.comment(1);
    installation.uninstall();
    await models.Vote.create({ commentId: 1 });
    expect(await pages.comment(1)).toBe('<li>one: 1 votes</li>');
  });
});
