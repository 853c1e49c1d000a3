import { createSweeper, type Sweeper } from '@cachesweeper/core';
import { DataTypes, type Model, type ModelStatic } from 'sequelize';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installSweeper, type SweeperInstallation } from '../src';
import { DIALECTS, openDatabase, type TestDatabase } from './support/databases';

/** A model keyed by its updatedAt alone (counter: false): its own writes change its token. */
describe.each(DIALECTS)('a model keyed by its attribute alone on %s', (dialect) => {
  let db: TestDatabase;
  let sweeper: Sweeper;
  let installation: SweeperInstallation;
  let Page: ModelStatic<Model>;
  const renders = new Map<number, number>();

  beforeEach(async () => {
    db = await openDatabase(dialect, 'attr');
    Page = db.sequelize.define('Page', { body: DataTypes.STRING });
    await db.sequelize.sync();
    sweeper = createSweeper();
    installation = installSweeper(db.sequelize, { Page: { using: 'updatedAt', counter: false } }, { sweeper });
    for (const body of ['a', 'b']) await Page.create({ body });
    renders.clear();
    for (const id of [1, 2]) await page(id);
  });
  afterEach(async () => {
    installation.uninstall();
    await sweeper.close();
    await db.close();
  });

  /** A page, keyed by the row as loaded (its updatedAt). */
  async function page(id: number): Promise<string> {
    const row = await Page.findByPk(id);
    const html = await sweeper.fragment(row!, 0, ['page'], async () => {
      renders.set(id, (renders.get(id) ?? 0) + 1);
      return String((await Page.findByPk(id))!.get('body'));
    });
    await sweeper.idle();
    return html;
  }

  it('is declared without a counter', () => {
    expect(sweeper.tokenSpec('Page')).toEqual({ using: 'updatedAt', counter: false, generation: true, within: [] });
  });

  it('a save invalidates the row through its new updatedAt, leaving other rows cached', async () => {
    const row = await Page.findByPk(1);
    await row!.update({ body: 'a, edited' });
    expect(await page(1)).toBe('a, edited');
    await page(2);
    expect(renders.get(2)).toBe(1);
  });

  it('a silent save, which keeps updatedAt, invalidates the whole model instead', async () => {
    const row = await Page.findByPk(1);
    await row!.update({ body: 'a, silent' }, { silent: true });
    expect(await page(1)).toBe('a, silent');
  });

  it('a pinned Model.update sets updatedAt, so other rows stay cached', async () => {
    await Page.update({ body: 'b, bulk' }, { where: { id: 2 } });
    expect(await page(2)).toBe('b, bulk');
    await page(1);
    expect(renders.get(1)).toBe(1);
  });

  it('a silent pinned Model.update invalidates the whole model', async () => {
    await Page.update({ body: 'b, silent' }, { where: { id: 2 }, silent: true });
    expect(await page(2)).toBe('b, silent');
  });

  it('installation.invalidate of such a row invalidates the whole model', async () => {
    const row = await Page.findByPk(2);
    await Page.sequelize!.getQueryInterface().bulkUpdate(Page.getTableName(), { body: 'raw' }, { id: 2 });
    await installation.invalidate(row!);
    expect(await page(2)).toBe('raw');
  });
});
