import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_STATS_PATH } from '../src/routes/cache-stats';
import { HttpVisitor } from './support/browser-less-visitor';
import { type RunningBlog, startBlog } from './support/running-blog';

interface StatsBody {
  pid: number;
  backend: string;
  namespace: string;
  timeoutMs: number;
  sweeper: { hits: number; misses: number; renders: number; stores: number };
  queries: { sql: number; loader: number; loaderCalls: number };
  servers: { server: string; state: string }[] | null;
}

async function statsOf(running: RunningBlog): Promise<StatsBody> {
  const response = await fetch(running.url + CACHE_STATS_PATH);
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return (await response.json()) as StatsBody;
}

describe('the stats endpoint, switched on', () => {
  let running: RunningBlog;
  beforeAll(async () => {
    running = await startBlog('memcached', undefined, { BLOG_STATS_ENDPOINT: '1' });
  });
  afterAll(async () => {
    await running.stop();
  });

  it("reports this process's sweeper, its deadline and its memcached servers", async () => {
    const stats = await statsOf(running);
    expect(stats.pid).toBe(process.pid);
    expect(stats.namespace).toBe(running.blog.sweeper.namespace);
    expect(stats.timeoutMs).toBe(running.blog.sweeper.timeoutMs);
    expect(stats.backend).toBe(`memcached ${running.memcached!.address}`);
    expect(stats.servers).toEqual([expect.objectContaining({ server: running.memcached!.address, state: 'up' })]);
  });

  it('counts the loaders and their statements when a page misses, and none when it hits', async () => {
    const visitor = new HttpVisitor(running.url);
    const before = await statsOf(running);
    await visitor.get('/articles/2');
    const missed = await statsOf(running);
    // The article page loads its comments' ids (one statement); its comments load in two.
    expect(missed.queries.loader - before.queries.loader).toBe(3);
    expect(missed.queries.loaderCalls - before.queries.loaderCalls).toBe(5);
    expect(missed.queries.sql - before.queries.sql).toBe(4); // and the article row, outside the loaders
    expect(missed.sweeper.renders - before.sweeper.renders).toBe(5);
    await running.blog.sweeper.idle();
    await visitor.get('/articles/2');
    const hit = await statsOf(running);
    expect(hit.queries.loader).toBe(missed.queries.loader);
    expect(hit.queries.sql - missed.queries.sql).toBe(1);
    expect(hit.sweeper.hits - missed.sweeper.hits).toBe(1);
  });

  it('counts a vote as statements outside the loaders', async () => {
    const visitor = new HttpVisitor(running.url);
    const page = await visitor.get('/articles/1');
    const before = await statsOf(running);
    expect((await visitor.post('/comments/2/like', { _csrf: HttpVisitor.csrfTokenIn(page.html) })).status).toBe(303);
    const after = await statsOf(running);
    expect(after.queries.sql).toBeGreaterThan(before.queries.sql);
    expect(after.queries.loader).toBe(before.queries.loader);
  });
});

describe('the stats endpoint, by default', () => {
  let running: RunningBlog;
  beforeAll(async () => {
    running = await startBlog('memory');
  });
  afterAll(async () => {
    await running.stop();
  });

  it('does not exist', async () => {
    const response = await fetch(running.url + CACHE_STATS_PATH);
    expect(response.status).toBe(404);
  });
});

describe('the test-only render delay', () => {
  let running: RunningBlog;
  beforeAll(async () => {
    running = await startBlog('memory', undefined, { BLOG_RENDER_DELAY_MS: '400', BLOG_STATS_ENDPOINT: 'on' });
  });
  afterAll(async () => {
    await running.stop();
  });

  it('holds a page whose article block missed for at least the delay', async () => {
    const startedAt = performance.now();
    const { status } = await new HttpVisitor(running.url).get('/articles/3');
    expect(status).toBe(200);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(400);
  });

  it('does not touch a page served from the cache: its loaders do not run', async () => {
    const visitor = new HttpVisitor(running.url);
    await visitor.get('/articles/2');
    await running.blog.sweeper.idle();
    const before = await statsOf(running);
    await visitor.get('/articles/2');
    expect((await statsOf(running)).queries.loaderCalls).toBe(before.queries.loaderCalls);
  });
});
