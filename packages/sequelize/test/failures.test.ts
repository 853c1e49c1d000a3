import { type CacheSweeperError, createSweeper } from '@cachesweeper/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type BlogFixture, openBlog } from './support/blog-fixture';
import { DIALECTS } from './support/databases';
import { type Fault, faultyBackend } from './support/faulty-backend';
import { failCommentReads } from './support/queries';

const DEADLINE_MS = 100;
const SLACK_MS = 2000;

describe.each(DIALECTS)('a failing invalidation on %s', (dialect) => {
  let blog: BlogFixture | undefined;
  afterEach(() => blog?.close());

  async function openBroken(fault: Fault) {
    const { backend, fail } = faultyBackend(fault);
    const errors: CacheSweeperError[] = [];
    const sweeper = createSweeper({ backend, timeoutMs: DEADLINE_MS, onError: (error) => errors.push(error) });
    blog = await openBlog(dialect, `fail_${fault}`, { sweeper });
    fail();
    return { blog, errors };
  }

  async function elapsed(work: () => Promise<unknown>): Promise<number> {
    const started = performance.now();
    await work();
    return performance.now() - started;
  }

  describe.each(['hang', 'reject'] as const)('when the backend %ss', (fault) => {
    it('does not fail a write outside a transaction, and settles within the deadline', async () => {
      const { blog } = await openBroken(fault);
      const took = await elapsed(() => blog.models.Vote.create({ commentId: 1 }));
      expect(took).toBeLessThan(DEADLINE_MS + SLACK_MS);
      expect(await blog.models.Vote.count({ where: { commentId: 1 } })).toBe(2);
    });

    it('does not make a managed transaction reject, and the data is committed', async () => {
      const { blog } = await openBroken(fault);
      const took = await elapsed(() =>
        blog.db.sequelize.transaction(async (t) => {
          await blog.models.Vote.create({ commentId: 2 }, { transaction: t });
        }),
      );
      expect(took).toBeLessThan(DEADLINE_MS + SLACK_MS);
      expect(await blog.models.Vote.count({ where: { commentId: 2 } })).toBe(1);
    });

    it('does not make commit() of an unmanaged transaction reject', async () => {
      const { blog } = await openBroken(fault);
      const t = await blog.db.sequelize.transaction();
      await blog.models.Vote.create({ commentId: 3 }, { transaction: t });
      await expect(t.commit()).resolves.toBeUndefined();
    });

    it('is reported to the sweeper’s onError', async () => {
      const { blog, errors } = await openBroken(fault);
      await blog.models.Vote.create({ commentId: 1 });
      expect(errors.map((error) => error.message).join('\n')).toMatch(/\[cachesweeper\] \[sweeper\] faulty-/);
    });
  });

  describe('when following a path fails', () => {
    async function openWithBrokenQueries(onError: (error: CacheSweeperError) => void) {
      blog = await openBlog(dialect, 'fail_path', { onError });
      await blog.pages.article(2);
      await blog.pages.comment(4);
      // The vote's path comment -> article reads Comment rows with a raw SELECT: make it fail.
      failCommentReads(blog.db.sequelize, 'injected: query failed');
      return blog;
    }

    it('invalidates every row of the models the paths reach instead', async () => {
      const blog = await openWithBrokenQueries(() => {});
      await blog.models.Vote.create({ commentId: 4 });
      expect(await blog.pages.article(2)).toBe(await blog.pages.uncachedArticle(2));
      expect(await blog.pages.comment(4)).toBe('<li>four: 1 votes</li>');
    });

    it('reports the failure to the installation’s onError', async () => {
      const errors: CacheSweeperError[] = [];
      const blog = await openWithBrokenQueries((error) => errors.push(error));
      await blog.models.Vote.create({ commentId: 4 });
      expect(errors.map((error) => error.message)).toEqual([
        '[cachesweeper] [sequelize] invalidation: injected: query failed',
      ]);
    });

    it('does not fail the write when onError throws', async () => {
      const blog = await openWithBrokenQueries(() => {
        throw new Error('logger down');
      });
      await expect(blog.models.Vote.create({ commentId: 4 })).resolves.toBeDefined();
    });
  });
});
