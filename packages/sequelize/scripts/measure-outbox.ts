/**
 * What the transactional outbox adds to a save, on a SQLite file and on PostgreSQL
 * (127.0.0.1:5432, database `test`, a schema of its own, dropped after).
 * A single-row save, `Vote.create` with its comment passed as `cachesweeper.loaded` (the
 * blog's vote route: no path query, so the figures show the outbox alone), in a
 * transaction and autocommit: without the installer, with it (memory backend), and with
 * it and the outbox. Overheads are paired against the installer without the outbox; the
 * "per save, with after-batch work" column includes the outbox's acknowledgements (one
 * DELETE per batch of 10, as the 50 ms gathering makes them under load), written before
 * each batch ends. Also counts cache round trips inside the transactions (must be 0).
 * Not a test: `pnpm exec tsx scripts/measure-outbox.ts [saves per contender] [sqlite|postgres]`.
 * `measureOutboxSaves(dialect, saves)` is what a `pnpm bench` row would call.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model, Sequelize } from 'sequelize';
import { installSweeper, type SweeperInstallation } from '../src';
import { BLOG_RULES, type BlogModels, defineBlog, seedBlog } from '../test/support/blog';
import { connectTo, type DatabaseSpec } from '../test/support/databases';
import { type Contender, type ContenderFigures, figuresTable, measureInterleaved } from './interleaved-saves';

/** The figures of one dialect. */
export interface OutboxSaveFigures {
  readonly dialect: 'sqlite' | 'postgres';
  readonly figures: readonly ContenderFigures[];
  /** Cache round trips counted between a write and its COMMIT, over every measured transaction. */
  readonly roundTripsInsideTransactions: number;
}

interface Opened {
  readonly sequelize: Sequelize;
  readonly models: BlogModels;
  readonly installation: SweeperInstallation | undefined;
  readonly comments: readonly Model[];
}

async function open(spec: DatabaseSpec, mode: 'none' | 'installer' | 'outbox'): Promise<Opened> {
  const sequelize = connectTo(spec);
  const models = defineBlog(sequelize);
  await sequelize.sync();
  const installation =
    mode === 'none' ? undefined : installSweeper(sequelize, BLOG_RULES, { outbox: mode === 'outbox' });
  await installation?.outbox?.createTable();
  await seedBlog(models);
  const comments = await models.Comment.findAll({ attributes: ['id', 'articleId'], order: [['id', 'ASC']] });
  return { sequelize, models, installation, comments };
}

/** Saves one vote at a time, on comments 1-4 in turn, each with its comment passed as loaded. */
function voteSaver(opened: Opened, transaction: boolean, trips: { inside: number }): () => Promise<unknown> {
  let next = 0;
  return () => {
    const index = next++ % 4;
    const values = { commentId: index + 1, value: 1 };
    const options = { cachesweeper: { loaded: [opened.comments[index] as Model] } };
    if (!transaction) return opened.models.Vote.create(values, options);
    const sweeper = opened.installation?.sweeper;
    return opened.sequelize.transaction(async (t) => {
      const before = sweeper?.stats().roundTrips ?? 0;
      await opened.models.Vote.create(values, { ...options, transaction: t });
      trips.inside += (sweeper?.stats().roundTrips ?? 0) - before;
    });
  };
}

/** Measures the outbox's save overhead on one dialect. */
export async function measureOutboxSaves(dialect: 'sqlite' | 'postgres', saves: number): Promise<OutboxSaveFigures> {
  const unique = `outbox_saves_${process.pid}_${randomBytes(3).toString('hex')}`;
  const directory = dialect === 'sqlite' ? await mkdtemp(join(tmpdir(), 'cachesweeper-outbox-')) : undefined;
  const specs = (['none', 'installer', 'outbox'] as const).map(
    (mode): DatabaseSpec =>
      directory === undefined
        ? { dialect: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/test', schema: `${unique}_${mode}` }
        : { dialect: 'sqlite', storage: join(directory, `${mode}.db`) },
  );
  const admin = dialect === 'postgres' ? connectTo(specs[0] as DatabaseSpec) : undefined;
  for (const spec of specs) if (spec.dialect === 'postgres') await admin?.query(`CREATE SCHEMA "${spec.schema}"`);
  const [none, installer, outbox] = [
    await open(specs[0] as DatabaseSpec, 'none'),
    await open(specs[1] as DatabaseSpec, 'installer'),
    await open(specs[2] as DatabaseSpec, 'outbox'),
  ];
  const trips = { inside: 0 };
  const acknowledge = () => outbox.installation?.outbox?.idle() ?? Promise.resolve();
  const contenders: Contender[] = [];
  for (const transaction of [true, false]) {
    const mode = transaction ? 'in a transaction' : 'autocommit';
    const plain: Contender = {
      name: `no installer, ${mode}`,
      save: voteSaver(none, transaction, trips),
      baseline: undefined,
    };
    const installed: Contender = {
      name: `installer, ${mode}`,
      save: voteSaver(installer, transaction, trips),
      baseline: plain,
    };
    const durable: Contender = {
      name: `installer + outbox, ${mode}`,
      save: voteSaver(outbox, transaction, trips),
      afterBatch: acknowledge,
      baseline: installed,
    };
    contenders.push(plain, installed, durable);
  }
  const figures = await measureInterleaved(contenders, { saves });
  for (const opened of [none, installer, outbox]) {
    opened.installation?.uninstall();
    await opened.installation?.outbox?.idle();
    await opened.sequelize.close();
  }
  for (const spec of specs) if (spec.dialect === 'postgres') await admin?.query(`DROP SCHEMA "${spec.schema}" CASCADE`);
  await admin?.close();
  if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  return { dialect, figures, roundTripsInsideTransactions: trips.inside };
}

async function main(): Promise<void> {
  const saves = Number(process.argv[2] ?? 1500);
  const dialects = process.argv[3] === undefined ? (['sqlite', 'postgres'] as const) : [process.argv[3] as 'sqlite'];
  for (const dialect of dialects) {
    const { figures, roundTripsInsideTransactions } = await measureOutboxSaves(dialect, saves);
    console.log(`\n${dialect}: Vote.create, ${saves} per contender, interleaved in batches of 10`);
    console.log(figuresTable(figures));
    console.log(`cache round trips inside the transactions: ${roundTripsInsideTransactions}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
