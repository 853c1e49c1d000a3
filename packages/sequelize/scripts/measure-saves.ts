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

interface Contender {
  readonly name: string;
  readonly save: () => Promise<unknown>;
  readonly times: number[];
  /** Per round: this contender's batch median over the batch median of its baseline (same save, no installer). */
  readonly ratios: number[];
  /** The contender it is paired with, or `undefined` for a baseline itself. */
  readonly baseline: Contender | undefined;
  /** Process CPU time (user + system) spent in this contender's batches, in µs. */
  cpu: number;
  readonly sequelize: Sequelize;
}

const SAVES = Number(process.argv[2] ?? 1500);
const BATCH = 10;
const WARMUP = 100;

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

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
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
  const add = (name: string, save: () => Promise<unknown>, sequelize: Sequelize, baseline?: Contender) => {
    const contender: Contender = { name, save, times: [], ratios: [], cpu: 0, sequelize, baseline };
    contenders.push(contender);
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
  for (const contender of contenders) for (let i = 0; i < WARMUP; i++) await contender.save();
  const selects = new Map<Contender, number>();
  for (const contender of contenders) {
    selects.set(contender, (await selectsDuring(contender.sequelize, contender.save)).length);
  }
  for (let round = 0; round < SAVES / BATCH; round++) {
    const batchMedians: number[] = [];
    // Rotate the order each round, so no contender always follows the same one.
    for (let k = 0; k < contenders.length; k++) {
      const index = (round + k) % contenders.length;
      const contender = contenders[index] as Contender;
      const batch: number[] = [];
      const cpu = process.cpuUsage();
      for (let i = 0; i < BATCH; i++) {
        const started = process.hrtime.bigint();
        await contender.save();
        batch.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      const used = process.cpuUsage(cpu);
      contender.cpu += used.user + used.system;
      contender.times.push(...batch);
      batchMedians[index] = quantile(
        batch.sort((a, b) => a - b),
        0.5,
      );
    }
    contenders.forEach((contender, index) => {
      if (contender.baseline === undefined) return;
      const baseline = batchMedians[contenders.indexOf(contender.baseline)] as number;
      contender.ratios.push((batchMedians[index] as number) / baseline);
    });
  }
  console.log(`Saves on a SQLite file, ${SAVES} per contender, interleaved in batches of ${BATCH}`);
  console.log('| save | median | p90 | overhead (paired median) | CPU per save | SELECTs per save |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const contender of contenders) {
    const sorted = [...contender.times].sort((a, b) => a - b);
    const ratio = quantile(
      [...contender.ratios].sort((a, b) => a - b),
      0.5,
    );
    const overhead = contender.baseline === undefined ? '' : `${((ratio - 1) * 100).toFixed(1)}%`;
    const [median, p90] = [quantile(sorted, 0.5), quantile(sorted, 0.9)];
    console.log(
      `| ${contender.name} | ${median.toFixed(3)} ms | ${p90.toFixed(3)} ms | ${overhead} | ${(contender.cpu / contender.times.length).toFixed(0)} µs | ${selects.get(contender)} |`,
    );
  }
  for (const blog of [without, installed, loaded]) await blog.sequelize.close();
  await rm(directory, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
