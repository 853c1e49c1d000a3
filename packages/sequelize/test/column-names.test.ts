import { createSweeper, type Sweeper } from '@cachesweeper/core';
import { DataTypes, type Model, type ModelStatic } from 'sequelize';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installSweeper, type SweeperInstallation } from '../src';
import { DIALECTS, openDatabase, type TestDatabase } from './support/databases';

/** Attributes stored under other column names (`underscored`, `field`) and a table named by the app. */
describe.each(DIALECTS)('columns named unlike their attributes on %s', (dialect) => {
  let db: TestDatabase;
  let sweeper: Sweeper;
  let installation: SweeperInstallation;
  let Remark: ModelStatic<Model>;
  let Like: ModelStatic<Model>;
  const renders = new Map<number, number>();

  beforeEach(async () => {
    db = await openDatabase(dialect, 'columns');
    const define = { underscored: true };
    const Post = db.sequelize.define('Post', { title: DataTypes.STRING }, { ...define, tableName: 'blog_posts' });
    Remark = db.sequelize.define(
      'Remark',
      { remarkKey: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, field: 'remark_no' } },
      define,
    );
    Like = db.sequelize.define('Like', {}, define);
    Remark.belongsTo(Post, { as: 'post', foreignKey: 'postId' });
    Like.belongsTo(Remark, { as: 'remark', foreignKey: 'remarkKey' });
    await db.sequelize.sync();
    sweeper = createSweeper();
    installation = installSweeper(
      db.sequelize,
      { Post: {}, Remark: { invalidates: ['post'] }, Like: { invalidates: ['remark', 'remark.post'] } },
      { sweeper },
    );
    for (const title of ['a', 'b']) await Post.create({ title });
    for (const postId of [1, 2]) await Remark.create({ postId });
    await Like.create({ remarkKey: 1 });
    renders.clear();
    for (const id of [1, 2]) await postCard(id);
  });
  afterEach(async () => {
    installation.uninstall();
    await sweeper.close();
    await db.close();
  });

  async function postCard(id: number): Promise<void> {
    await sweeper.fragment({ model: 'Post', id }, 0, [], () => {
      renders.set(id, (renders.get(id) ?? 0) + 1);
      return `post ${id}`;
    });
    await sweeper.idle();
  }
  async function rendersAfter(id: number): Promise<number> {
    await postCard(id);
    return renders.get(id) ?? 0;
  }

  it('a path step reads its row through the columns the attributes are stored in', async () => {
    await Like.create({ remarkKey: 2 });
    expect([await rendersAfter(1), await rendersAfter(2)]).toEqual([1, 2]);
  });

  it('a Model.update pinning its rows reads them through their columns, and invalidates old and new parents', async () => {
    await Like.update({ remarkKey: 2 }, { where: { id: [1] } });
    expect([await rendersAfter(1), await rendersAfter(2)]).toEqual([2, 2]);
  });

  it('a Model.update pinning a primary key stored under another column reads its rows', async () => {
    await Remark.update({ postId: 2 }, { where: { remarkKey: 1 } });
    expect([await rendersAfter(1), await rendersAfter(2)]).toEqual([2, 2]);
  });
});
