import { createSweeper, type Sweeper } from '@cachesweeper/core';
import { DataTypes, type Model, type ModelStatic } from 'sequelize';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installSweeper, type SweeperInstallation } from '../src';
import { DIALECTS, openDatabase, type TestDatabase } from './support/databases';

/** Composite primary keys, and a belongsTo that refers to a unique key rather than the primary key. */
describe.each(DIALECTS)('keys other than a single id on %s', (dialect) => {
  let db: TestDatabase;
  let sweeper: Sweeper;
  let installation: SweeperInstallation;
  let Group: ModelStatic<Model>;
  let Membership: ModelStatic<Model>;
  const renders = new Map<string, number>();

  beforeEach(async () => {
    db = await openDatabase(dialect, 'keys');
    Group = db.sequelize.define('Group', { code: { type: DataTypes.STRING, unique: true }, name: DataTypes.STRING });
    Membership = db.sequelize.define('Membership', {
      userId: { type: DataTypes.INTEGER, primaryKey: true },
      groupCode: { type: DataTypes.STRING, primaryKey: true },
      role: DataTypes.STRING,
    });
    Membership.belongsTo(Group, { as: 'group', foreignKey: 'groupCode', targetKey: 'code' });
    await db.sequelize.sync();
    sweeper = createSweeper();
    installation = installSweeper(db.sequelize, { Group: {}, Membership: { invalidates: ['group'] } }, { sweeper });
    await Group.bulkCreate([
      { code: 'red', name: 'Red' },
      { code: 'blue', name: 'Blue' },
    ]);
    await Membership.create({ userId: 1, groupCode: 'red', role: 'member' });
    renders.clear();
    for (const id of [1, 2]) await groupCard(id);
    await membershipCard();
  });
  afterEach(async () => {
    installation.uninstall();
    await sweeper.close();
    await db.close();
  });

  async function cached(target: object, key: string, render: () => Promise<string>): Promise<string> {
    const html = await sweeper.fragment(target, 0, [], async () => {
      renders.set(key, (renders.get(key) ?? 0) + 1);
      return render();
    });
    await sweeper.idle();
    return html;
  }
  async function uncachedGroup(id: number): Promise<string> {
    const group = await Group.findByPk(id);
    const members = await Membership.findAll({ where: { groupCode: group!.get('code') }, order: [['userId', 'ASC']] });
    return `${group!.get('name')}: ${members.map((member) => `${member.get('userId')} ${member.get('role')}`).join(', ')}`;
  }
  const groupCard = (id: number) => cached({ model: 'Group', id }, `Group#${id}`, () => uncachedGroup(id));
  const membershipCard = () =>
    cached({ model: 'Membership', id: [1, 'red'] }, 'Membership#1,red', async () =>
      String((await Membership.findOne({ where: { userId: 1, groupCode: 'red' } }))!.get('role')),
    );

  it('a path through a key other than the primary key finds the row it refers to', async () => {
    await Membership.create({ userId: 2, groupCode: 'blue', role: 'owner' });
    expect(await groupCard(2)).toBe('Blue: 2 owner');
    await groupCard(1);
    expect(renders.get('Group#1')).toBe(1);
  });

  it('a row with a composite primary key is invalidated by its own save', async () => {
    const membership = await Membership.findOne({ where: { userId: 1, groupCode: 'red' } });
    await membership!.update({ role: 'admin' });
    expect(await membershipCard()).toBe('admin');
    expect(await groupCard(1)).toBe('Red: 1 admin');
  });

  it('a Model.update that pins every part of a composite key names its rows', async () => {
    await Membership.update({ role: 'guest' }, { where: { userId: 1, groupCode: 'red' } });
    expect(await membershipCard()).toBe('guest');
    await groupCard(2);
    expect(renders.get('Group#2')).toBe(1);
  });

  it('a Model.update that pins part of a composite key invalidates the whole model', async () => {
    await Membership.update({ role: 'guest' }, { where: { userId: 1 } });
    expect(await membershipCard()).toBe('guest');
    expect(await groupCard(1)).toBe(await uncachedGroup(1));
  });
});
