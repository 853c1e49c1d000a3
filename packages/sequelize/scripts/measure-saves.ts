/**
 * What the installer adds to a save on a SQLite file, autocommit and in a transaction.
 * A vote save (`Vote.create`): without the installer, with it (memory backend), and
 * with it plus the vote's comment passed as `cachesweeper.loaded` (as the blog's vote
 * route does: it loads the comment anyway). A comment edit (`comment.update({ body })`):
 * without the installer, with it on an instance that loaded `articleId`, and with it on
 * an instance loaded without `articleId`, which the installer then reads before the
 * write. Contenders run interleaved, in small batches, after a warm-up; prints the
 * median and p90 per save, SELECTs per save, and the overhead as the median over rounds
 * of each batch's median against the same round's batch without the installer (paired,
 * so load that drifts between rounds cancels out), and the process CPU time per save
 * (less sensitive to disk waits than wall time).
 * Not a test: `pnpm exec tsx scripts/measure-saves.ts [saves per contender]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Model, Sequelize } from 'sequelize';
import { installSweeper } from '../src';
import { BLOG_RULES, type BlogModels, defineBlog, seedBlog } from '../test/support/blog';
import { selectsDuring } from '../test/support/queries';
import { type Contender, figuresTable, measureInterleaved } from './interleaved-saves';

const SAVES = Number(process.argv[2] ?? 1500);

async function openBlog(directory: string, name: string): Promise<{ sequelize: Sequelize; models: BlogModels }> {
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: join(directory, `${name}.db`), logging: false });
  const models = defineBlog(sequelize);
  await sequelize.sync();
  await seedBlog(models);
  return { sequelize, models };
}

function voteSaver(
  { sequelize, models }: { sequelize: Sequelize; models: BlogModels },
  transaction: boolean,
  comments: readonly Model[] | undefined,
): () => Promise<unknown> {
  let next = 0;
  return () => {
    const index = next++ % 4;
    const options = comments === undefined ? {} : { cachesweeper: { loaded: [comments[index] as Model] } };
    const values = { commentId: index + 1, value: 1 };
    if (!transaction) return models.Vote.create(values, options);
    return sequelize.transaction((t) => models.Vote.create(values, { ...options, transaction: t }));
  };
}

/** Edits comment 1's body through one instance, loaded with or without `articleId`. */
async function commentSaver(
  { sequelize, models }: { sequelize: Sequelize; models: BlogModels },
  transaction: boolean,
  attributes: readonly string[],
): Promise<() => Promise<unknown>> {
  const comment = (await models.Comment.findByPk(1, { attributes: [...attributes] })) as Model;
  let next = 0;
  return () => {
    const values = { body: `edit ${next++}` };
    if (!transaction) return comment.update(values);
    return sequelize.transaction((t) => comment.update(values, { transaction: t }));
  };
}

async function main(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'cachesweeper-saves-'));
  const without = await openBlog(directory, 'without');
  const installed = await openBlog(directory, 'installed');
  const loaded = await openBlog(directory, 'loaded');
  installSweeper(installed.sequelize, BLOG_RULES);
  installSweeper(loaded.sequelize, BLOG_RULES);
  // The blog's vote route loads the comment (id, articleId) before it creates the vote.
  const comments = await loaded.models.Comment.findAll({ attributes: ['id', 'articleId'], order: [['id', 'ASC']] });
  const contenders: Contender[] = [];
  const sequelizeOf = new Map<Contender, Sequelize>();
  const add = (name: string, save: () => Promise<unknown>, sequelize: Sequelize, baseline?: Contender) => {
    const contender: Contender = { name, save, baseline };
    contenders.push(contender);
    sequelizeOf.set(contender, sequelize);
    return contender;
  };
  for (const transaction of [false, true]) {
    const mode = transaction ? 'in a transaction' : 'autocommit';
    const votes = add(
      `Vote.create, no installer, ${mode}`,
      voteSaver(without, transaction, undefined),
      without.sequelize,
    );
    add(`Vote.create, installer, ${mode}`, voteSaver(installed, transaction, undefined), installed.sequelize, votes);
    add(
      `Vote.create, installer + loaded comment, ${mode}`,
      voteSaver(loaded, transaction, comments),
      loaded.sequelize,
      votes,
    );
  }
  for (const transaction of [false, true]) {
    const mode = transaction ? 'in a transaction' : 'autocommit';
    const all = ['id', 'body', 'articleId'];
    const edits = add(
      `comment.update, no installer, ${mode}`,
      await commentSaver(without, transaction, all),
      without.sequelize,
    );
    add(
      `comment.update, installer, articleId loaded, ${mode}`,
      await commentSaver(installed, transaction, all),
      installed.sequelize,
      edits,
    );
    const unloaded = await commentSaver(installed, transaction, ['id', 'body']);
    add(`comment.update, installer, articleId not loaded (read first), ${mode}`, unloaded, installed.sequelize, edits);
  }
  const selects = new Map<string, number>();
  for (const contender of contenders) {
    selects.set(contender.name, (await selectsDuring(sequelizeOf.get(contender) as Sequelize, contender.save)).length);
  }
  const figures = await measureInterleaved(contenders, { saves: SAVES });
  console.log(`Saves on a SQLite file, ${SAVES} per contender, interleaved in batches of 10`);
  console.log(figuresTable(figures, { header: 'SELECTs per save', value: (name) => String(selects.get(name)) }));
  for (const blog of [without, installed, loaded]) await blog.sequelize.close();
  await rm(directory, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
