import { createSweeper, memoryBackend } from '@cachesweeper/core';
import { memcachedBackend } from '@cachesweeper/memcached';
import { type MemcachedProcess, startMemcached } from '@cachesweeper/test-support';
import type { Model, ModelStatic } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { likesOf } from '../../examples/blog/test/support/browser-less-visitor';
import { type BlogDatabase, type BlogInstance, blogDatabase, startBlogInstance } from './support/blog-instances';
import { printFigures } from './support/scale';
import { sleep } from './support/timing';

const REQUESTS = 1_000;
const SEED = { articles: 2, commentsPerArticle: 20, firstArticleComments: 20, maxVotesPerComment: 4 };
const PAGE = '/articles/1';
const LOADER_DELAY_MS = 150;

/** What one stampede did in one app process. */
interface ProcessFigures {
  /** Blocks rendered (each missed block once per process if single-flight holds). */
  renders: number;
  /** Queries the page's loaders ran (comment ids, comments, votes). */
  loaderQueries: number;
  requests: number;
  /** Block lookups that missed: the renders, and the requests that joined them. */
  misses: number;
  /** Blocks rendered without the cache (a backend round missed its deadline). */
  uncached: number;
}

/** What a stampede saw. */
interface Stampede {
  readonly processes: ProcessFigures[];
  /** Answers that were not 200, or showed another like count than the database holds. */
  readonly wrongAnswers: string[];
}

/**
 * Warms the page in every process, adds a like to one comment (the installer bumps the
 * comment after commit; the stored article page records that counter, so it misses too),
 * then sends 1,000 concurrent requests for the
 * page, spread over the processes.
 */
async function stampede(instances: readonly BlogInstance[]): Promise<Stampede> {
  for (const instance of instances) {
    await instance.get(PAGE);
    await instance.blog.sweeper.idle();
  }
  const { models, sequelize } = instances[0]!.blog;
  const comment = await models.Comment.findOne({ where: { articleId: 1 }, order: [['id', 'ASC']] });
  await sequelize.transaction((transaction) =>
    models.Vote.create({ commentId: comment!.id, value: 1 }, { transaction }),
  );
  const likes = await models.Vote.count({ where: { commentId: comment!.id, value: 1 } });

  const processes = instances.map((instance) => {
    const before = instance.blog.sweeper.stats();
    const figures: ProcessFigures = {
      renders: -before.renders,
      misses: -before.misses,
      uncached: -before.uncached,
      loaderQueries: 0,
      requests: 0,
    };
    for (const model of loaderModels(instance)) {
      // Slow loaders keep the render running while the requests arrive: they must join it.
      model.addHook('afterFind', 'stampede-count', async () => {
        figures.loaderQueries += 1;
        await sleep(LOADER_DELAY_MS);
      });
    }
    return figures;
  });
  const wrongAnswers: string[] = [];
  await Promise.all(
    Array.from({ length: REQUESTS }, async (_, index) => {
      const which = index % instances.length;
      processes[which]!.requests += 1;
      const { status, html } = await instances[which]!.get(PAGE);
      if (status !== 200) wrongAnswers.push(`status ${status}`);
      else if (likesOf(html, comment!.id) !== likes)
        wrongAnswers.push(`likes ${likesOf(html, comment!.id)}, not ${likes}`);
    }),
  );
  instances.forEach((instance, index) => {
    const after = instance.blog.sweeper.stats();
    processes[index]!.renders += after.renders;
    processes[index]!.misses += after.misses;
    processes[index]!.uncached += after.uncached;
    for (const model of loaderModels(instance)) model.removeHook('afterFind', 'stampede-count');
  });
  return { processes, wrongAnswers };
}

/** The models the page's loaders query (the route itself queries none). */
function loaderModels(instance: BlogInstance): ModelStatic<Model>[] {
  const { Article, Comment, Vote } = instance.blog.models;
  return [Article, Comment, Vote] as unknown as ModelStatic<Model>[];
}

function describeProcesses(stampede: Stampede): string {
  return stampede.processes
    .map(
      (figures) =>
        `${figures.requests} requests → ${figures.misses} block misses, ${figures.renders} block renders, ` +
        `${figures.uncached} uncached, ${figures.loaderQueries} loader queries`,
    )
    .join('; ');
}

describe(`${REQUESTS} concurrent requests for a page right after one of its rows was bumped`, () => {
  let memory: Stampede;
  let memcached: Stampede;
  let overloaded: Stampede;
  let server: MemcachedProcess;
  const databases: BlogDatabase[] = [];
  const instances: BlogInstance[] = [];

  beforeAll(async () => {
    const database = blogDatabase();
    databases.push(database);
    const single = await startBlogInstance({
      name: 'memory',
      database,
      sweeper: createSweeper({ backend: memoryBackend() }),
      seed: SEED,
    });
    instances.push(single);
    memory = await stampede([single]);

    server = await startMemcached();
    const shared = blogDatabase();
    databases.push(shared);
    const pair: BlogInstance[] = [];
    for (const name of ['memcached-1', 'memcached-2']) {
      // A burst of 500 requests in one process keeps its event loop busy past the default deadlines
      // (100 ms per call, 200 ms per round): rounds would fail and blocks render uncached, each
      // with its own loads. Generous deadlines here, so the burst measures single-flight.
      const backend = memcachedBackend({ servers: [server.address], timeoutMs: 2_000, graceMs: 5_000 });
      const sweeper = createSweeper({ backend, timeoutMs: 5_000 });
      pair.push(await startBlogInstance({ name, database: shared, sweeper, seed: SEED }));
    }
    instances.push(...pair);
    memcached = await stampede(pair);

    // The same burst with the default deadlines: rounds miss them while the event loop is busy, and
    // those blocks render without the cache; concurrent pages share each such render.
    const defaults = blogDatabase();
    databases.push(defaults);
    const busy: BlogInstance[] = [];
    for (const name of ['memcached-defaults-1', 'memcached-defaults-2']) {
      const sweeper = createSweeper({ backend: memcachedBackend({ servers: [server.address] }) });
      busy.push(await startBlogInstance({ name, database: defaults, sweeper, seed: SEED }));
    }
    instances.push(...busy);
    overloaded = await stampede(busy);

    printFigures(
      'stampede',
      `${REQUESTS} concurrent requests after a vote (2 blocks missed: the article page and the comment); ` +
        `memory, one process: ${describeProcesses(memory)}; memcached, two processes: ${describeProcesses(memcached)}; ` +
        `memcached with the default deadlines, two processes: ${describeProcesses(overloaded)}; ` +
        `${memory.wrongAnswers.length + memcached.wrongAnswers.length + overloaded.wrongAnswers.length} wrong answers`,
    );
  });
  afterAll(async () => {
    for (const instance of instances) await instance.close();
    await server?.stop();
    for (const database of databases) database.remove();
  });

  it('renders each missed block once in a single process (memory backend)', () => {
    expect(memory.processes.map((figures) => figures.renders)).toEqual([2]);
  });

  it('renders each missed block at most once per process (two processes on memcached)', () => {
    const renders = memcached.processes.map((figures) => figures.renders);
    expect(renders.every((count) => count >= 0 && count <= 2) && renders.some((count) => count > 0)).toBe(true);
  });

  it('uses the cache for every block (no round missed its deadline, so single-flight is what is measured)', () => {
    expect([...memory.processes, ...memcached.processes].map((figures) => figures.uncached)).toEqual([0, 0, 0]);
  });

  it('runs the loaders of the missed blocks once per process render, never per request', () => {
    // The article page loads its row and its comment ids (2 queries), the missed comment its row and votes (2 queries).
    const all = [...memory.processes, ...memcached.processes];
    expect(all.every((figures) => figures.loaderQueries <= 4)).toBe(true);
  });

  it('shares the renders that missed their deadline under the burst: loads stay a handful, not one per request', () => {
    // A page whose round missed its deadline joins an uncached render that started after it began;
    // pages that began later start one of their own. Before renders were shared, this burst ran
    // 744 loader queries in one process; a handful per process now (bounded here at 5% of requests).
    expect(overloaded.processes.every((figures) => figures.loaderQueries <= 25)).toBe(true);
  });

  it('answers every request with the page as it now is', () => {
    expect([...memory.wrongAnswers, ...memcached.wrongAnswers, ...overloaded.wrongAnswers]).toEqual([]);
  });
});
