import { createSweeper, memoryBackend } from '@cachesweeper/core';
import cls from 'cls-hooked';
import { Sequelize } from 'sequelize';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BlogFixture, openBlog } from './support/blog-fixture';
import { DIALECTS } from './support/databases';
import { faultyBackend } from './support/faulty-backend';
import { outboxRows } from './support/outbox';

// Sequelize 6 keeps the CLS namespace on its class, for the whole process: this file
// runs in its own worker, so the other test files run without CLS.
beforeAll(() => {
  Sequelize.useCLS(cls.createNamespace('cachesweeper-outbox-test'));
});

describe.each(DIALECTS)('the outbox with CLS transactions on %s', (dialect) => {
  let blog: BlogFixture | undefined;
  afterEach(async () => {
    await blog?.close();
    blog = undefined;
  });

  it('a write that names no transaction records its row in the CLS transaction', async () => {
    blog = await openBlog(dialect, 'outbox_cls', { outbox: { replayAfterMs: 60_000, ackDelayMs: 10_000 } });
    const { sequelize } = blog.db;
    await blog.installation.outbox!.idle();
    await sequelize.transaction(async (t) => {
      await blog!.models.Vote.create({ commentId: 1 });
      // SQLite writes the row at the write; PostgreSQL sends it with the COMMIT.
      expect(await outboxRows(blog!.installation, sequelize, t)).toHaveLength(dialect === 'sqlite' ? 1 : 0);
      expect(await outboxRows(blog!.installation, sequelize, null)).toEqual([]);
    });
    expect(await outboxRows(blog.installation, sequelize, null)).toHaveLength(1);
    await blog.installation.outbox!.idle();
    expect(await blog.installation.outbox!.pending()).toBe(0);
  });

  it('a CLS transaction that rolls back leaves no row', async () => {
    blog = await openBlog(dialect, 'outbox_cls_rollback', { outbox: true });
    await blog.installation.outbox!.idle();
    await expect(
      blog.db.sequelize.transaction(async () => {
        await blog!.models.Vote.create({ commentId: 1 });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await blog.installation.outbox!.pending()).toBe(0);
  });

  it('a replay started inside a CLS transaction runs outside it, so its rollback undoes nothing', async () => {
    const link = faultyBackend('reject', memoryBackend());
    blog = await openBlog(dialect, 'outbox_cls_replay', {
      sweeper: createSweeper({ backend: link.backend }),
      outbox: { pollMs: 60_000, replayAfterMs: 0 },
    });
    const outbox = blog.installation.outbox!;
    await outbox.idle();
    link.fail();
    await blog.models.Vote.create({ commentId: 1 }, { transaction: null });
    expect(await outbox.pending()).toBe(1);
    link.heal();
    await expect(
      blog.db.sequelize.transaction(async () => {
        expect(await outbox.replay()).toMatchObject({ rows: 1, landed: true });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await outbox.pending()).toBe(0);
  });
});
