import { installSweeper } from '@cachesweeper/sequelize';
import type { Sequelize, Transaction } from 'sequelize';
import { BLOG_RULES, BLOG_RULES_WITHIN } from '../../../examples/blog/src/rules';
import { watchBackend } from '../cache-census';
import { DATABASE_LABELS, DATABASES, type DatabaseName } from '../databases';
import { type BlogFixture, benchWithin, seedBlogs, settleFixture } from '../fixtures';
import { interleave, type Measured, type Variant } from '../harness';
import type { BenchScale } from '../scale';
import { countQueries } from '../sql-census';

/** What a vote save costs besides time, from an untimed census pass. */
export interface SaveCensus {
  readonly name: string;
  /** SQL statements per save (BEGIN and COMMIT included). */
  readonly queries: number;
  /** Backend calls made while a transaction was open (must be 0). */
  readonly callsInTransaction: number;
  /** Backend calls after the commit, per save. */
  readonly callsAfterCommit: number;
}

/** The outbox's own comparison on one database: its installer against the same rules without it, side by side alone. */
export interface OutboxPair {
  readonly database: DatabaseName;
  /** `[with the outbox, without it]`, saves in a transaction. */
  readonly measured: readonly [Measured, Measured];
}

/** The vote save comparison. */
export interface SavesResult {
  readonly measured: Measured[];
  /** Per database, the outbox's overhead measured by two contenders alone (the table's 24 contenders carry biases of their own). */
  readonly outboxPairs: OutboxPair[];
  readonly census: SaveCensus[];
  /** Saves in the census pass. */
  readonly censusSaves: number;
}

interface SaveSubject {
  readonly name: string;
  readonly fixture: BlogFixture;
  readonly transaction: boolean;
  /** Pass the vote's comment as already loaded (`cachesweeper.loaded`), as the blog's route does. */
  readonly loaded: boolean;
}

const BACKEND_CALLS = ['get', 'getMany', 'set', 'setMany', 'add', 'incr', 'delete'] as const;

/** The prefix of a save's name on `database` (none on SQLite, where the figures were first set). */
export function savePrefix(database: DatabaseName): string {
  return database === 'sqlite' ? '' : `${DATABASE_LABELS[database]}: `;
}

/** The blogs one database's saves run on (all closed again if one cannot be seeded). */
async function seedSaveFixtures(dir: string, comments: number, database: DatabaseName, memcachedAddress: string) {
  const at = (label: string, backend: 'memory' | 'memcached' = 'memory') => ({
    dir,
    comments,
    database,
    backend,
    memcachedAddress,
    label: `saves-${label}`,
  });
  const [without, memory, memcached, noOutbox, pathRules] = (await seedBlogs([
    at('without'),
    // The blog's installer: the transactional outbox records each write's keys in its transaction.
    at('memory'),
    at('memcached', 'memcached'),
    at('no-outbox'),
    at('path'),
  ])) as [BlogFixture, BlogFixture, BlogFixture, BlogFixture, BlogFixture];
  without.blog.installation.uninstall();
  // The same rules as the blog's (with WITHIN=on, comments within their article) without the outbox, to tell
  // what the outbox's row costs a save.
  const rules = benchWithin() ? BLOG_RULES_WITHIN : BLOG_RULES;
  noOutbox.blog.installation.uninstall();
  installSweeper(noOutbox.blog.sequelize, rules, { sweeper: noOutbox.blog.sweeper });
  // django-cache-sweeper's way: the vote also names its comment's article ('comment.article'),
  // whose row the installer must read with one SELECT (the vote holds only commentId). The
  // blog's rules leave that path out: the article page is checked against the counters of
  // the comment fragments nested in it. Without the outbox, as django-cache-sweeper has none.
  pathRules.blog.installation.uninstall();
  installSweeper(
    pathRules.blog.sequelize,
    { ...rules, Vote: { invalidates: ['comment', 'comment.article'] } },
    { sweeper: pathRules.blog.sweeper },
  );
  return { without, memory, memcached, noOutbox, pathRules };
}

/**
 * A vote save (`Vote.create`) on SQLite and on PostgreSQL with the installer (memory
 * and memcached backends, with the blog's outbox and without it) and without it (the
 * same blog with the hooks uninstalled), inside a transaction and as the blog's route
 * does it (autocommit), side by side. Each contender has its own SQLite file or
 * PostgreSQL schema. The census counts SQL statements, and backend calls made while a
 * transaction is open (by watching the query interface's start/commit) against those
 * made after the commit.
 */
export async function measureSaves(
  scale: BenchScale,
  dir: string,
  memcachedAddress: string,
  comments: number,
): Promise<SavesResult> {
  const fixtures: BlogFixture[] = [];
  const subjects: SaveSubject[] = [];
  const pairs: { database: DatabaseName; subjects: [SaveSubject, SaveSubject] }[] = [];
  try {
    for (const database of DATABASES) {
      const seeded = await seedSaveFixtures(dir, comments, database, memcachedAddress);
      fixtures.push(...Object.values(seeded));
      const { without, memory, memcached, noOutbox, pathRules } = seeded;
      const inTransaction = (fixture: BlogFixture, label: string): SaveSubject => ({
        name: `${savePrefix(database)}${label}, in a transaction`,
        fixture,
        transaction: true,
        loaded: false,
      });
      pairs.push({
        database,
        subjects: [
          inTransaction(memory, 'installer, memory'),
          inTransaction(noOutbox, 'installer, memory, outbox off'),
        ],
      });
      for (const transaction of [true, false]) {
        for (const [label, fixture, loaded] of [
          ['no installer', without, false],
          ['installer, memory', memory, false],
          ['installer, memory, outbox off', noOutbox, false],
          ["installer, memory, outbox off, Vote → 'comment.article' too", pathRules, false],
          ["installer, memory, outbox off, Vote → 'comment.article' too, comment passed as loaded", pathRules, true],
          ['installer, memcached', memcached, false],
        ] as const) {
          subjects.push({
            name: `${savePrefix(database)}${label}${transaction ? ', in a transaction' : ', autocommit'}`,
            fixture,
            transaction,
            loaded,
          });
        }
      }
    }
    const table = await measureSubjects(scale, subjects);
    const outboxPairs: OutboxPair[] = [];
    for (const pair of pairs) {
      const [withOutbox, without] = await interleave(pair.subjects.map(saveVariant), scale.outboxPairRounds);
      outboxPairs.push({ database: pair.database, measured: [withOutbox as Measured, without as Measured] });
    }
    return { ...table, outboxPairs };
  } finally {
    for (const fixture of fixtures) await fixture.close();
  }
}

/** A save as a variant: the save timed, the fixture's background work (outbox DELETE, cache writes) settled untimed. */
function saveVariant(subject: SaveSubject): Variant {
  return { name: subject.name, run: voteSaver(subject), teardown: () => settleFixture(subject.fixture) };
}

async function measureSubjects(
  scale: BenchScale,
  subjects: readonly SaveSubject[],
): Promise<Omit<SavesResult, 'outboxPairs'>> {
  const savers = subjects.map((subject) => voteSaver(subject));
  const census: SaveCensus[] = [];
  const censusSaves = scale.saveCensus;
  for (const [index, subject] of subjects.entries()) {
    census.push(await takeCensus(subject, savers[index] as () => Promise<unknown>, censusSaves));
  }
  const variants: Variant[] = subjects.map((subject, index) => ({
    name: subject.name,
    run: savers[index] as () => Promise<unknown>,
    teardown: () => settleFixture(subject.fixture),
  }));
  const measured = await interleave(variants, scale.saveRounds);
  return { measured, census, censusSaves };
}

function voteSaver({ fixture, transaction, loaded }: SaveSubject): () => Promise<unknown> {
  const { sequelize, models } = fixture.blog;
  let next = 0;
  const commentId = () => fixture.commentIds[next++ % fixture.commentIds.length] as number;
  // A route that loads the comment (id, articleId) before the vote anyway can pass it; loaded here, untimed.
  const comments = new Map<number, InstanceType<typeof models.Comment>>();
  const loadedComments = loaded
    ? models.Comment.findAll({ attributes: ['id', 'articleId'] }).then((rows) => {
        for (const row of rows) comments.set(row.id, row);
      })
    : Promise.resolve();
  const options = (id: number) => (loaded ? { cachesweeper: { loaded: [comments.get(id)!] } } : {});
  const create = (id: number, extra: object) =>
    models.Vote.create({ commentId: id, value: 1 }, { ...options(id), ...extra });
  return async () => {
    await loadedComments;
    const id = commentId();
    return transaction ? sequelize.transaction((t) => create(id, { transaction: t })) : create(id, {});
  };
}

async function takeCensus(subject: SaveSubject, save: () => Promise<unknown>, saves: number): Promise<SaveCensus> {
  const { sequelize, sweeper } = subject.fixture.blog;
  let open = 0;
  let inTransaction = 0;
  let afterCommit = 0;
  const restoreBackend = watchBackend(sweeper.backend, BACKEND_CALLS, () => {
    if (open > 0) inTransaction++;
    else afterCommit++;
  });
  const restoreTransactions = watchTransactions(sequelize, (delta) => {
    open += delta;
  });
  try {
    const { queries } = await countQueries(sequelize, async () => {
      for (let index = 0; index < saves; index++) {
        await save();
        await settleFixture(subject.fixture);
      }
    });
    return {
      name: subject.name,
      queries: queries / saves,
      callsInTransaction: inTransaction,
      callsAfterCommit: afterCommit / saves,
    };
  } finally {
    restoreTransactions();
    restoreBackend();
  }
}

/**
 * Tells when a transaction opens (+1, once BEGIN was sent) and closes (-1, once
 * COMMIT or ROLLBACK finished), by wrapping the query interface Sequelize runs them through.
 */
function watchTransactions(sequelize: Sequelize, onChange: (delta: 1 | -1) => void): () => void {
  const queryInterface = sequelize.getQueryInterface() as unknown as Record<
    string,
    (transaction: Transaction, options: unknown) => Promise<unknown>
  >;
  const names = ['startTransaction', 'commitTransaction', 'rollbackTransaction'] as const;
  const originals = names.map((name) => queryInterface[name] as (t: Transaction, o: unknown) => Promise<unknown>);
  const [start, commit, rollback] = originals as [
    (t: Transaction, o: unknown) => Promise<unknown>,
    (t: Transaction, o: unknown) => Promise<unknown>,
    (t: Transaction, o: unknown) => Promise<unknown>,
  ];
  queryInterface.startTransaction = (transaction, options) => {
    onChange(1);
    return start.call(queryInterface, transaction, options);
  };
  const closing =
    (original: (t: Transaction, o: unknown) => Promise<unknown>) =>
    async (transaction: Transaction, options: unknown) => {
      try {
        return await original.call(queryInterface, transaction, options);
      } finally {
        onChange(-1);
      }
    };
  queryInterface.commitTransaction = closing(commit);
  queryInterface.rollbackTransaction = closing(rollback);
  return () => {
    names.forEach((name, index) => {
      queryInterface[name] = originals[index] as (t: Transaction, o: unknown) => Promise<unknown>;
    });
  };
}
