import { createSweeper, type Sweeper } from '@cachesweeper/core';
import { DataTypes, type Model, type ModelStatic } from 'sequelize';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installSweeper, type SweeperInstallation } from '../src';
import { DIALECTS, openDatabase, type TestDatabase } from './support/databases';

/** "All categories" (a menu): a block about the whole model, with no row to hang it on. */
describe.each(DIALECTS)('a fragment about a whole model ({ model }) on %s', (dialect) => {
  let db: TestDatabase;
  let sweeper: Sweeper;
  let installation: SweeperInstallation;
  let Category: ModelStatic<Model>;
  let Tag: ModelStatic<Model>;
  let renders = 0;

  beforeEach(async () => {
    db = await openDatabase(dialect, 'whole');
    Category = db.sequelize.define('Category', {
      name: DataTypes.STRING,
      views: { type: DataTypes.INTEGER, defaultValue: 0 },
    });
    Tag = db.sequelize.define('Tag', { name: DataTypes.STRING });
    await db.sequelize.sync();
    sweeper = createSweeper();
    installation = installSweeper(
      db.sequelize,
      { Category: {}, Tag: { using: 'updatedAt', counter: false } },
      { sweeper },
    );
    await Category.bulkCreate([{ name: 'news' }, { name: 'sport' }]);
    await Tag.create({ name: 'red' });
    renders = 0;
    await menu();
  });
  afterEach(async () => {
    installation.uninstall();
    await sweeper.close();
    await db.close();
  });

  /** The menu of every category, loaded inside render (on a miss only). */
  async function menu(): Promise<string> {
    const html = await sweeper.fragment({ model: 'Category' }, 0, ['menu'], async () => {
      renders++;
      const rows = await Category.findAll({ order: [['id', 'ASC']] });
      return rows.map((row) => row.get('name')).join(', ');
    });
    await sweeper.idle();
    return html;
  }

  it('is served from the cache while no category is written', async () => {
    expect(await menu()).toBe('news, sport');
    expect(renders).toBe(1);
  });

  it('shows a new category after create', async () => {
    await Category.create({ name: 'weather' });
    expect(await menu()).toBe('news, sport, weather');
  });

  it('shows a renamed category after an instance update, inside a transaction, after its commit', async () => {
    await db.sequelize.transaction(async (transaction) => {
      const row = await Category.findByPk(2, { transaction });
      await row!.update({ name: 'sports' }, { transaction });
      expect(await menu()).toBe('news, sport');
    });
    expect(await menu()).toBe('news, sports');
  });

  it('drops a destroyed category, and shows bulk updates', async () => {
    await (await Category.findByPk(1))!.destroy();
    expect(await menu()).toBe('sport');
    await Category.update({ name: 'all sport' }, { where: { name: 'sport' } });
    expect(await menu()).toBe('all sport');
  });

  it('changes with increment, which runs no hooks (the installer wraps it)', async () => {
    await (await Category.findByPk(1))!.increment('views');
    await menu();
    expect(renders).toBe(2);
    await Category.increment('views', { where: { name: 'sport' } });
    await menu();
    expect(renders).toBe(3);
  });

  it('of a model keyed by its attribute alone, changes with a save of one of its rows', async () => {
    let tagRenders = 0;
    const tags = async () => {
      const html = await sweeper.fragment({ model: 'Tag' }, 0, [], async () => {
        tagRenders++;
        return (await Tag.findAll()).map((row) => row.get('name')).join(', ');
      });
      await sweeper.idle();
      return html;
    };
    expect(await tags()).toBe('red');
    await (await Tag.findByPk(1))!.update({ name: 'blue' });
    expect(await tags()).toBe('blue');
    expect(tagRenders).toBe(2);
  });
});
