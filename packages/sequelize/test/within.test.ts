import { createSweeper, type Sweeper } from '@cachesweeper/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installSweeper, type SweeperInstallation, type SweeperRules } from '../src';
import { type BlogModels, defineBlog } from './support/blog';
import { DIALECTS, openDatabase, type TestDatabase } from './support/databases';

/** The blog with comments declared within their article: its page's hit checks no comment counter, only the article's contents counter. */
const WITHIN_RULES: SweeperRules = {
  Article: {},
  Comment: { within: { Article: 'articleId' } },
  Vote: { invalidates: ['comment'] },
};

describe.each(DIALECTS)('rules with "within" on %s', (dialect) => {
  let db: TestDatabase;
  let models: BlogModels;
  let sweeper: Sweeper;
  let installation: SweeperInstallation;
  let bumped: string[];

  beforeEach(async () => {
    db = await openDatabase(dialect, 'within');
    models = defineBlog(db.sequelize);
    await db.sequelize.sync();
    await models.Article.bulkCreate([{ title: 'one' }, { title: 'two' }]);
    await models.Comment.bulkCreate([
      { articleId: 1, body: 'a' },
      { articleId: 2, body: 'b' },
    ]);
    sweeper = createSweeper();
    installation = installSweeper(db.sequelize, WITHIN_RULES, { sweeper });
    bumped = [];
    const bumpKeys = sweeper.bumpKeys.bind(sweeper);
    sweeper.bumpKeys = (keys, options) => {
      bumped.push(...keys);
      return bumpKeys(keys, options);
    };
  });
  afterEach(async () => {
    installation.uninstall();
    await sweeper.close();
    await db.close();
  });

  const expectBumped = (...keys: string[]) =>
    vi.waitFor(() => expect(new Set(bumped)).toEqual(new Set(keys)), { timeout: 2000 });

  it('declares the containing model on the sweeper', () => {
    expect(sweeper.tokenSpec('Comment').within).toEqual([['Article', 'articleId']]);
  });

  it('a vote, which names only its comment, reads the comment’s article in its transaction and bumps its contents alone', async () => {
    await db.sequelize.transaction((transaction) => models.Vote.create({ commentId: 2 }, { transaction }));
    // The article's own counter stays: its page keeps its key, and is assembled again around the comment.
    await expectBumped('cs:Vote:=1', 'cs:Vote:+', 'cs:Comment:=2', 'cs:Comment:+', 'cs:Article:=2:&');
  });

  it('a new comment bumps its article’s counter too: the article shows the list of its comments', async () => {
    await models.Comment.create({ articleId: 1, body: 'c' });
    await expectBumped('cs:Comment:=3', 'cs:Comment:+', 'cs:Article:=1:&', 'cs:Article:=1', 'cs:Article:+');
  });

  it('a comment moved to another article bumps the article it left and the one it joined', async () => {
    const comment = await models.Comment.findByPk(1, { attributes: ['id', 'body'] }); // articleId not loaded
    await comment!.update({ articleId: 2 });
    await expectBumped(
      ...['cs:Comment:=1', 'cs:Comment:+', 'cs:Article:=1:&', 'cs:Article:=2:&'],
      ...['cs:Article:=1', 'cs:Article:=2', 'cs:Article:+'],
    );
  });

  it('a bulk update of comments bumps the articles of the rows it touched', async () => {
    await models.Comment.update({ body: 'edited' }, { where: { id: [1, 2] } });
    await expectBumped(
      'cs:Comment:=1',
      'cs:Comment:=2',
      'cs:Comment:+',
      'cs:Article:=1:&',
      'cs:Article:=2:&',
      'cs:Article:=1',
      'cs:Article:=2',
      'cs:Article:+',
    );
  });

  it('a manual invalidation of a comment (a write that ran no hooks) bumps its article’s counter too', async () => {
    const comment = await models.Comment.findByPk(1);
    await installation.invalidate(comment!);
    await expectBumped('cs:Comment:=1', 'cs:Comment:+', 'cs:Article:=1:&', 'cs:Article:=1', 'cs:Article:+');
  });

  it('a raw bulk write nobody can name the rows of bumps every article’s generation', async () => {
    await installation.invalidateModel('Comment');
    await expectBumped('cs:Comment:*', 'cs:Article:*');
  });
});

describe('rules with "within" that cannot hold', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await openDatabase('sqlite', 'within-refused');
    defineBlog(db.sequelize);
  });
  afterEach(() => db.close());

  it('are refused at install, naming the rule and the bad value', () => {
    const install = (rules: SweeperRules) => () => installSweeper(db.sequelize, rules).uninstall();
    expect(install({ Article: {}, Comment: { within: ['Article'] as never } })).toThrow(
      /rule Comment: Comment: "within" must map containing model names to attributes/,
    );
    expect(install({ Article: {}, Comment: { within: { Article: 'postId' } } })).toThrow(
      /rule Comment: within Article by "postId", but Comment has no attribute "postId"/,
    );
    expect(install({ Comment: { within: { Article: 'articleId' } } })).toThrow(
      /rule Comment: within Article, which has no rule; add Article: \{\}/,
    );
  });
});
