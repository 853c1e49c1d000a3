import { createSweeper, type Sweeper } from '@cachesweeper/core';
import { DataTypes, type Model, type ModelStatic } from 'sequelize';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installSweeper, type SweeperInstallation } from '../src';
import { DIALECTS, openDatabase, type TestDatabase } from './support/databases';

/** Upserts and upserting bulk inserts that find their row by a unique key, not the primary key. */
describe.each(DIALECTS)('writes that find their row by a unique key on %s', (dialect) => {
  let db: TestDatabase;
  let sweeper: Sweeper;
  let installation: SweeperInstallation;
  let Author: ModelStatic<Model>;
  let Post: ModelStatic<Model>;
  const renders = new Map<string, number>();

  beforeEach(async () => {
    db = await openDatabase(dialect, 'unique');
    Author = db.sequelize.define('Author', {
      handle: { type: DataTypes.STRING, unique: true },
      name: DataTypes.STRING,
    });
    Post = db.sequelize.define('Post', { slug: { type: DataTypes.STRING, unique: true }, title: DataTypes.STRING });
    Post.belongsTo(Author, { as: 'author', foreignKey: 'authorId' });
    await db.sequelize.sync();
    sweeper = createSweeper();
    installation = installSweeper(db.sequelize, { Author: {}, Post: { invalidates: ['author'] } }, { sweeper });
    for (const handle of ['ann', 'bob', 'cy']) await Author.create({ handle, name: handle.toUpperCase() });
    await Post.create({ slug: 'hello', title: 'Hello', authorId: 1 });
    renders.clear();
    for (const id of [1, 2, 3]) await authorCard(id);
  });
  afterEach(async () => {
    installation.uninstall();
    await sweeper.close();
    await db.close();
  });

  /** An author's card: name and post titles, keyed by the author's counter. */
  async function authorCard(id: number): Promise<string> {
    const html = await sweeper.fragment({ model: 'Author', id }, 0, ['card'], async () => {
      renders.set(`Author#${id}`, (renders.get(`Author#${id}`) ?? 0) + 1);
      return uncachedCard(id);
    });
    await sweeper.idle();
    return html;
  }
  async function uncachedCard(id: number): Promise<string> {
    const author = await Author.findByPk(id);
    const posts = await Post.findAll({ where: { authorId: id }, order: [['id', 'ASC']] });
    return `${author?.get('name')}: ${posts.map((post) => post.get('title')).join(', ')}`;
  }

  it('upsert by a unique key invalidates the row it updated, not the id the driver reports', async () => {
    // SQLite reports the last inserted id (here 1, of the post) as the upserted row's.
    await Author.upsert({ handle: 'cy', name: 'Cy Twombly' });
    expect(await authorCard(3)).toBe('Cy Twombly: ');
  });

  it('upsert by a unique key that moves a row invalidates the old and the new parent', async () => {
    await Post.upsert({ slug: 'hello', title: 'Hello', authorId: 2 });
    expect(await authorCard(1)).toBe(await uncachedCard(1));
    expect(await authorCard(2)).toBe('BOB: Hello');
  });

  it('upsert by a unique key that inserts leaves unrelated rows cached', async () => {
    await Author.upsert({ handle: 'dee', name: 'DEE' });
    await authorCard(1);
    expect(renders.get('Author#1')).toBe(1);
  });

  it('bulkCreate with updateOnDuplicate and no primary keys invalidates the whole model', async () => {
    await Author.bulkCreate([{ handle: 'bob', name: 'Bob Ross' }], { updateOnDuplicate: ['name'] });
    expect(await authorCard(2)).toBe('Bob Ross: ');
  });

  it('bulkCreate that overwrites foreign keys of rows it cannot name invalidates every parent', async () => {
    await Post.bulkCreate([{ slug: 'hello', title: 'Hello', authorId: 3 }], { updateOnDuplicate: ['authorId'] });
    expect(await authorCard(1)).toBe(await uncachedCard(1));
    expect(await authorCard(3)).toBe('CY: Hello');
  });
});
