import { type CacheSweeperError, createSweeper, memoryBackend } from '@cachesweeper/core';
import type { Model } from 'sequelize';
import { afterEach, describe, expect, it } from 'vitest';
import { installSweeper, type OutboxOptions } from '../src';
import { landedMarkKey } from '../src/outbox/landed-marks';
import { BLOG_RULES, defineBlog } from './support/blog';
import { type BlogFixture, openBlog } from './support/blog-fixture';
import { DIALECTS, openDatabase } from './support/databases';
import { faultyBackend } from './support/faulty-backend';
import { counterKey, keysOf, outboxRows, readCounter, waitUntil } from './support/outbox';
import { type OutboxPeer, openPeer } from './support/outbox-peer';
import { statementsDuring } from './support/queries';

/** Generous: the poll loop replays within ~0.5 s; this machine is shared and loaded. */
const REPLAY_BOUND_MS = 10_000;
/** Options that keep the poll loop out of a test that replays by hand. */
const NO_POLLING: OutboxOptions = { pollMs: 60_000, replayAfterMs: 0 };

describe.each(DIALECTS)('the transactional outbox on %s', (dialect) => {
  let blog: BlogFixture | undefined;
  const peers: OutboxPeer[] = [];
  afterEach(async () => {
    for (const peer of peers.splice(0)) await peer.close();
    await blog?.close();
    blog = undefined;
  });

  /** A blog whose writer reaches a shared cache through a link that `fail()` breaks; peers reach it directly. */
  async function openCutOff(outbox: OutboxOptions = {}) {
    const shared = memoryBackend();
    const link = faultyBackend('reject', shared);
    const errors: CacheSweeperError[] = [];
    const sweeper = createSweeper({ backend: link.backend });
    blog = await openBlog(dialect, 'outbox_cut', { sweeper, outbox, onError: (error) => errors.push(error) });
    await blog.installation.outbox?.idle();
    return { blog, shared, link, errors };
  }

  function peerOf(opened: { blog: BlogFixture; shared: ReturnType<typeof memoryBackend> }, outbox?: OutboxOptions) {
    const peer = openPeer(opened.blog.db.spec, opened.shared, outbox);
    peers.push(peer);
    return peer;
  }

  it("records a transaction's invalidations in that transaction, one row for a row written many times", async () => {
    // Acknowledgements held back, so the row is still there after the COMMIT.
    blog = await openBlog(dialect, 'outbox_tx', { outbox: { replayAfterMs: 60_000, ackDelayMs: 10_000 } });
    const { sequelize } = blog.db;
    const outbox = blog.installation.outbox!;
    await outbox.idle();
    expect(await outbox.pending()).toBe(0);
    const before = await readCounter(blog.sweeper, { model: 'Comment', id: 1 });
    const statements = await statementsDuring(sequelize, () =>
      sequelize.transaction(async (t) => {
        const vote = (await blog!.models.Vote.findByPk(1, { transaction: t })) as Model;
        for (const value of [2, 3, 4]) await vote.update({ value }, { transaction: t });
        // SQLite writes the row at the first write; PostgreSQL sends it with the COMMIT.
        expect(await outboxRows(blog!.installation, sequelize, t)).toHaveLength(dialect === 'sqlite' ? 1 : 0);
        expect(await outboxRows(blog!.installation, sequelize)).toEqual([]); // not visible before COMMIT
      }),
    );
    const rows = await outboxRows(blog.installation, sequelize);
    expect(rows).toHaveLength(1);
    expect(keysOf(rows[0]!).sort()).toEqual(
      [
        counterKey(blog.sweeper, { model: 'Article', id: 1 }),
        counterKey(blog.sweeper, { model: 'Comment', id: 1 }),
        counterKey(blog.sweeper, { model: 'Vote', id: 1 }),
        // The blog's models keep generations, so each also bumps its model counter (fragments of `{ model }`).
        ...blog.sweeper.invalidationKeys([{ model: 'Article' }, { model: 'Comment' }, { model: 'Vote' }]),
      ].sort(),
    );
    const carried = statements.filter((sql) => sql.includes(`INSERT INTO ${outbox.table}`));
    if (dialect === 'postgres') expect(carried).toEqual([expect.stringMatching(/^INSERT INTO .*; COMMIT;?$/s)]);
    else expect(carried).toEqual([]); // written straight through the driver, on the transaction's connection
    expect(await readCounter(blog.sweeper, { model: 'Comment', id: 1 })).not.toBe(before);
    await outbox.idle();
    expect(await outbox.pending()).toBe(0);
  });

  it('leaves no row and bumps nothing when the transaction rolls back', async () => {
    blog = await openBlog(dialect, 'outbox_rollback', { outbox: true });
    await blog.installation.outbox!.idle();
    const before = await readCounter(blog.sweeper, { model: 'Comment', id: 2 });
    await expect(
      blog.db.sequelize.transaction(async (t) => {
        await blog!.models.Vote.create({ commentId: 2 }, { transaction: t });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await blog.installation.outbox!.pending()).toBe(0);
    expect(await readCounter(blog.sweeper, { model: 'Comment', id: 2 })).toBe(before);
  });

  it('a savepoint that rolls back takes its row with it, and a later write of the same row records it again', async () => {
    blog = await openBlog(dialect, 'outbox_savepoint', { outbox: { replayAfterMs: 60_000, ackDelayMs: 10_000 } });
    const { sequelize } = blog.db;
    await blog.installation.outbox!.idle();
    const atWrite = dialect === 'sqlite' ? 1 : 0; // PostgreSQL sends the row with the COMMIT
    await sequelize.transaction(async (t) => {
      const savepoint = await sequelize.transaction({ transaction: t });
      await blog!.models.Comment.update({ body: 'undone' }, { where: { id: 3 }, transaction: savepoint });
      expect(await outboxRows(blog!.installation, sequelize, t)).toHaveLength(atWrite);
      await savepoint.rollback();
      expect(await outboxRows(blog!.installation, sequelize, t)).toEqual([]);
      await blog!.models.Comment.update({ body: 'kept' }, { where: { id: 3 }, transaction: t });
      expect(await outboxRows(blog!.installation, sequelize, t)).toHaveLength(atWrite);
    });
    const rows = await outboxRows(blog.installation, sequelize);
    expect(rows).toHaveLength(1);
    expect(keysOf(rows[0]!)).toContain(counterKey(blog.sweeper, { model: 'Comment', id: 3 }));
    await blog.installation.outbox!.idle();
    expect(await blog.installation.outbox!.pending()).toBe(0);
  });

  it('a transaction whose writes a rolled-back savepoint all undid commits without a row', async () => {
    blog = await openBlog(dialect, 'outbox_undone', { outbox: { replayAfterMs: 60_000, ackDelayMs: 10_000 } });
    const { sequelize } = blog.db;
    await blog.installation.outbox!.idle();
    const before = await readCounter(blog.sweeper, { model: 'Comment', id: 3 });
    await sequelize.transaction(async (t) => {
      const savepoint = await sequelize.transaction({ transaction: t });
      await blog!.models.Comment.update({ body: 'undone' }, { where: { id: 3 }, transaction: savepoint });
      await savepoint.rollback();
    });
    expect(await outboxRows(blog.installation, sequelize)).toEqual([]);
    expect(await readCounter(blog.sweeper, { model: 'Comment', id: 3 })).toBe(before);
  });

  it('runs no cache round trip between the write and its COMMIT', async () => {
    blog = await openBlog(dialect, 'outbox_trips', { outbox: true });
    await readCounter(blog.sweeper, { model: 'Comment', id: 1 });
    const atStart = blog.sweeper.stats().roundTrips;
    let inside = -1;
    await blog.db.sequelize.transaction(async (t) => {
      await blog!.models.Vote.create({ commentId: 1 }, { transaction: t });
      inside = blog!.sweeper.stats().roundTrips;
    });
    expect(inside).toBe(atStart);
    expect(blog.sweeper.stats().invalidations).toBeGreaterThan(0);
  });

  it('an autocommit write records a row of its own, deleted once the bump landed', async () => {
    blog = await openBlog(dialect, 'outbox_autocommit', { outbox: true });
    const outbox = blog.installation.outbox!;
    await outbox.idle();
    const before = await readCounter(blog.sweeper, { model: 'Comment', id: 4 });
    const statements = await statementsDuring(blog.db.sequelize, () => blog!.models.Vote.create({ commentId: 4 }));
    expect(statements.filter((sql) => sql.startsWith(`INSERT INTO ${outbox.table}`))).toHaveLength(1);
    expect(await readCounter(blog.sweeper, { model: 'Comment', id: 4 })).not.toBe(before);
    await outbox.idle();
    expect(await outbox.pending()).toBe(0);
  });

  it('installation.invalidate outside a transaction records a row too', async () => {
    blog = await openBlog(dialect, 'outbox_manual', { outbox: true });
    const outbox = blog.installation.outbox!;
    const vote = (await blog.models.Vote.findByPk(1)) as Model;
    const statements = await statementsDuring(blog.db.sequelize, () => blog!.installation.invalidate(vote));
    expect(statements.filter((sql) => sql.startsWith(`INSERT INTO ${outbox.table}`))).toHaveLength(1);
    await outbox.idle();
    expect(await outbox.pending()).toBe(0);
  });

  it('a write whose outbox row cannot be written fails, and its transaction commits nothing', async () => {
    blog = await openBlog(dialect, 'outbox_missing', { outbox: true });
    await blog.installation.outbox!.idle();
    await blog.db.sequelize.query(`DROP TABLE ${blog.installation.outbox!.table}`);
    await expect(
      blog.db.sequelize.transaction((t) => blog!.models.Vote.create({ commentId: 2 }, { transaction: t })),
    ).rejects.toThrow(/^\[cachesweeper\] \[outbox\] could not write a row to .*cachesweeper_outbox.*createTable\(\)/);
    expect(await blog.models.Vote.count({ where: { commentId: 2 } })).toBe(0);
    // No connection was pooled in an aborted transaction: once the table is back, writes commit again.
    await blog.installation.outbox!.createTable();
    for (let index = 0; index < 3; index++) {
      await blog.db.sequelize.transaction((t) => blog!.models.Vote.create({ commentId: 2 }, { transaction: t }));
    }
    expect(await blog.models.Vote.count({ where: { commentId: 2 } })).toBe(3);
  });

  it('an autocommit write whose outbox row cannot be written still invalidates, and reports it', async () => {
    const errors: CacheSweeperError[] = [];
    blog = await openBlog(dialect, 'outbox_missing_ac', { outbox: true, onError: (error) => errors.push(error) });
    await blog.installation.outbox!.idle();
    await blog.db.sequelize.query(`DROP TABLE ${blog.installation.outbox!.table}`);
    const before = await readCounter(blog.sweeper, { model: 'Comment', id: 2 });
    await blog.models.Vote.create({ commentId: 2 });
    expect(await blog.models.Vote.count({ where: { commentId: 2 } })).toBe(1);
    expect(await readCounter(blog.sweeper, { model: 'Comment', id: 2 })).not.toBe(before);
    expect(errors.map((error) => error.message)).toContainEqual(
      expect.stringMatching(/^\[cachesweeper\] \[outbox\] could not write a row/),
    );
  });

  it('another process replays the row of a writer cut off from the cache', async () => {
    const opened = await openCutOff();
    const peer = peerOf(opened);
    const before = await readCounter(peer.sweeper, { model: 'Comment', id: 1 });
    opened.link.fail();
    await opened.blog.db.sequelize.transaction((t) =>
      opened.blog.models.Vote.create({ commentId: 1 }, { transaction: t }),
    );
    const took = await waitUntil(
      async () => (await peer.sweeper.backend.get(counterKey(peer.sweeper, { model: 'Comment', id: 1 }))) !== before,
      REPLAY_BOUND_MS,
      'the replayed bump',
    );
    console.log(`[outbox ${dialect}] a cut-off writer's vote was replayed ${took.toFixed(0)} ms after its COMMIT`);
    await waitUntil(async () => (await peer.installation.outbox!.pending()) === 0, REPLAY_BOUND_MS, 'the ack');
  });

  it('two replayers never claim the same row: each waiting key is bumped once', async () => {
    const opened = await openCutOff(NO_POLLING);
    const [first, second] = [peerOf(opened, NO_POLLING), peerOf(opened, NO_POLLING)];
    const key = counterKey(first.sweeper, { model: 'Comment', id: 1 });
    await readCounter(first.sweeper, { model: 'Comment', id: 1 });
    opened.link.fail();
    for (let i = 0; i < 4; i++) {
      await opened.blog.db.sequelize.transaction((t) =>
        opened.blog.models.Vote.create({ commentId: 1 }, { transaction: t }),
      );
    }
    expect(await first.installation.outbox!.pending()).toBe(4);
    const before = Number(await opened.shared.get(key));
    const outcomes = await Promise.all([first.installation.outbox!.replay(), second.installation.outbox!.replay()]);
    expect(outcomes.map((outcome) => outcome.rows).sort()).toEqual([0, 4]);
    expect(Number(await opened.shared.get(key)) - before).toBe(1);
    expect(await first.installation.outbox!.pending()).toBe(0);
  });

  /** A writer whose acknowledgements wait 10 s (as a busy database's DELETE may), a vote it wrote, and a peer that replays by hand. */
  async function voteWithSlowAck(name: string) {
    blog = await openBlog(dialect, name, { outbox: { ackDelayMs: 10_000, replayAfterMs: 0, pollMs: 60_000 } });
    const { sweeper, installation } = blog;
    await installation.outbox!.idle();
    const peer = openPeer(blog.db.spec, sweeper.backend, NO_POLLING);
    peers.push(peer);
    const before = await readCounter(sweeper, { model: 'Comment', id: 3 });
    await blog.models.Vote.create({ commentId: 3 });
    const voted = await readCounter(sweeper, { model: 'Comment', id: 3 });
    expect(voted).not.toBe(before);
    const [row] = await outboxRows(installation, blog.db.sequelize);
    const mark = landedMarkKey(sweeper.namespace, row!.id);
    await waitUntil(async () => (await sweeper.backend.get(mark)) !== undefined, REPLAY_BOUND_MS, 'the landed mark');
    return { sweeper, peer, voted, mark };
  }

  it("a replayer deletes a row whose writer's bump landed without bumping again, before the writer's own DELETE", async () => {
    const { sweeper, peer, voted } = await voteWithSlowAck('outbox_marked');
    expect(await peer.installation.outbox!.replay()).toMatchObject({ rows: 0, keys: 0, alreadyLanded: 1 });
    expect(await readCounter(sweeper, { model: 'Comment', id: 3 })).toBe(voted);
    expect(await peer.installation.outbox!.pending()).toBe(0);
  });

  it('a row whose landed mark is gone (evicted, never written) is bumped again: one extra bump, never a stale page', async () => {
    const { sweeper, peer, voted, mark } = await voteWithSlowAck('outbox_unmarked');
    await sweeper.backend.delete(mark);
    expect(await peer.installation.outbox!.replay()).toMatchObject({ rows: 1, landed: true, alreadyLanded: 0 });
    expect(await readCounter(sweeper, { model: 'Comment', id: 3 })).not.toBe(voted);
    expect(await peer.installation.outbox!.pending()).toBe(0);
  });

  it('when nobody reaches the cache, waiting rows coalesce into one, and past maxKeys into generations', async () => {
    const opened = await openCutOff({ ...NO_POLLING, maxKeys: 4 });
    const outbox = opened.blog.installation.outbox!;
    opened.link.fail();
    for (const commentId of [1, 2, 3, 4]) {
      await opened.blog.db.sequelize.transaction((t) =>
        opened.blog.models.Vote.create({ commentId }, { transaction: t }),
      );
    }
    expect(await outbox.pending()).toBe(4);
    expect(await outbox.replay()).toMatchObject({ rows: 4, landed: false });
    const [row] = await outboxRows(opened.blog.installation, opened.blog.db.sequelize);
    expect(await outbox.pending()).toBe(1);
    expect(keysOf(row!).sort()).toEqual(
      opened.blog.sweeper.invalidationKeys([], { models: ['Article', 'Comment', 'Vote'] }).sort(),
    );
    expect(opened.errors.map((error) => error.message)).toContainEqual(
      expect.stringMatching(
        /^\[cachesweeper\] \[outbox\] .* waited past maxKeys \(4\); 13 row and model counter\(s\) were replaced/,
      ),
    );
    opened.link.heal();
    expect(await outbox.replay()).toMatchObject({ rows: 1, keys: 3, landed: true });
    expect(await outbox.pending()).toBe(0);
  });

  it("leaves rows of another namespace to that namespace's replayers", async () => {
    const opened = await openCutOff(NO_POLLING);
    const stranger = openPeer(opened.blog.db.spec, opened.shared, NO_POLLING, 'other');
    peers.push(stranger);
    opened.link.fail();
    await opened.blog.models.Vote.create({ commentId: 1 });
    expect(await stranger.installation.outbox!.replay()).toMatchObject({ rows: 0 });
    expect(await opened.blog.installation.outbox!.pending()).toBe(1);
  });

  it('uninstall() gives the COMMIT back to Sequelize, and a new installation carries its rows again', async () => {
    blog = await openBlog(dialect, 'outbox_reinstall', { outbox: { replayAfterMs: 60_000, ackDelayMs: 10_000 } });
    const { sequelize } = blog.db;
    const table = blog.installation.outbox!.table;
    const vote = () => sequelize.transaction((t) => blog!.models.Vote.create({ commentId: 2 }, { transaction: t }));
    const carried = (statements: string[]) => statements.filter((sql) => sql.includes(`INSERT INTO ${table}`));
    await blog.installation.outbox!.idle(); // the seed's rows acknowledged
    const queryInterface = sequelize.getQueryInterface() as unknown as Record<string, unknown> & {
      queryGenerator: Record<string, unknown>;
    };
    const sequelizeOwn = () => [
      queryInterface.commitTransaction === Object.getPrototypeOf(queryInterface).commitTransaction,
      queryInterface.queryGenerator.commitTransactionQuery ===
        Object.getPrototypeOf(queryInterface.queryGenerator).commitTransactionQuery,
    ];
    // Only PostgreSQL's COMMIT carries the row.
    expect(sequelizeOwn()).toEqual(dialect === 'postgres' ? [false, false] : [true, true]);
    blog.installation.uninstall();
    expect(sequelizeOwn()).toEqual([true, true]);
    const bare = await statementsDuring(sequelize, vote);
    expect(carried(bare)).toEqual([]);
    expect(bare.some((sql) => /^COMMIT;?$/.test(sql))).toBe(true);
    expect(await blog.installation.outbox!.pending()).toBe(0);
    const again = installSweeper(sequelize, BLOG_RULES, {
      sweeper: blog.sweeper,
      outbox: { replayAfterMs: 60_000, ackDelayMs: 10_000 },
    });
    try {
      const statements = await statementsDuring(sequelize, vote);
      // SQLite writes the row at the write (straight through the driver), PostgreSQL with the COMMIT.
      expect(carried(statements)).toHaveLength(dialect === 'postgres' ? 1 : 0);
      expect(await again.outbox!.pending()).toBe(1);
    } finally {
      again.uninstall();
    }
  });

  it('uninstall() stops the poll loop', async () => {
    const opened = await openCutOff({ pollMs: 20, replayAfterMs: 0 });
    const outbox = opened.blog.installation.outbox!;
    opened.link.fail();
    await opened.blog.models.Vote.create({ commentId: 1 });
    expect(outbox.polling).toBe(true);
    opened.blog.installation.uninstall();
    expect(outbox.polling).toBe(false);
    await outbox.idle(); // a replay under way finishes (and fails: the link is still down)
    opened.link.heal();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await outbox.pending()).toBe(1);
  });
});

describe('outbox options', () => {
  it('refuses an option it does not know, naming the ones it does', async () => {
    const db = await openDatabase('sqlite', 'outbox_options');
    try {
      expect(() => installSweeper(db.sequelize, {}, { outbox: { poll: 5 } as never })).toThrow(
        '[cachesweeper] [sequelize] options.outbox.poll is not an outbox option (they are: table, pollMs, replayAfterMs, leaseMs, batchRows, maxKeys, ackDelayMs)',
      );
      expect(() => installSweeper(db.sequelize, {}, { outbox: { pollMs: 0 } })).toThrow(
        '[cachesweeper] [sequelize] options.outbox.pollMs must be a whole number from 10 to 60000, got 0',
      );
      expect(() => installSweeper(db.sequelize, {}, { outbox: { table: 'bad name' } })).toThrow(
        /options\.outbox\.table: the table name must be 1-63 letters, digits or underscores.*got "bad name"/,
      );
      expect(() => installSweeper(db.sequelize, {}, { outbox: 'yes' as never })).toThrow(
        '[cachesweeper] [sequelize] options.outbox must be true, false or an object of outbox options, got "yes"',
      );
    } finally {
      await db.close();
    }
  });

  it("refuses an SQLite ':memory:' database, which one process owns", async () => {
    const { Sequelize } = await import('sequelize');
    const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
    defineBlog(sequelize);
    try {
      expect(() => installSweeper(sequelize, BLOG_RULES, { outbox: true })).toThrow(
        /^\[cachesweeper\] \[sequelize\] options\.outbox: an SQLite ':memory:' database lives in one process/,
      );
      // Refused before anything was installed: installing without the outbox works.
      installSweeper(sequelize, BLOG_RULES).uninstall();
    } finally {
      await sequelize.close();
    }
  });

  it('puts the table in the schema models are defined in, unless told otherwise', async () => {
    const db = await openDatabase('postgres', 'outbox_schema');
    try {
      const installation = installSweeper(db.sequelize, {}, { outbox: true });
      installation.uninstall();
      const schema = db.spec.dialect === 'postgres' ? db.spec.schema : '';
      expect(installation.outbox!.table).toBe(`"${schema}"."cachesweeper_outbox"`);
      const named = installSweeper(db.sequelize, {}, { outbox: { table: { tableName: 'outbox', schema: 'public' } } });
      named.uninstall();
      expect(named.outbox!.table).toBe('"public"."outbox"');
    } finally {
      await db.close();
    }
  });
});
