import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_STATS_PATH } from '../src/routes/cache-stats';
import { HttpVisitor, panelFigures } from './support/browser-less-visitor';
import { type RunningBlog, startBlog } from './support/running-blog';

interface StatsBody {
  pid: number;
  backend: string;
  namespace: string;
  timeoutMs: number;
  sweeper: { hits: number; misses: number; uncached: number; renders: number; stores: number };
  queries: { sql: number; loader: number; loaderCalls: number };
  servers: { name: string; address: string; state: string }[] | null;
}

async function statsOf(running: RunningBlog): Promise<StatsBody> {
  const response = await fetch(running.url + CACHE_STATS_PATH);
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return (await response.json()) as StatsBody;
}

/**
 * Views `path` until a view is served wholly from the cache (a loaded machine may render a
 * block uncached, past its deadline, which stores nothing), and returns the stats around it.
 */
async function wholeHitView(running: RunningBlog, path: string): Promise<{ before: StatsBody; after: StatsBody }> {
  const visitor = new HttpVisitor(running.url);
  for (let attempt = 0; attempt < 20; attempt++) {
    await running.blog.sweeper.idle();
    const before = await statsOf(running);
    const { html } = await visitor.get(path);
    const after = await statsOf(running);
    const panel = panelFigures(html);
    if (panel.misses === 0 && panel.uncached === 0) return { before, after };
  }
  throw new Error(`no view of ${path} was served wholly from the cache in 20 attempts`);
}

describe('the stats endpoint, switched on', () => {
  let running: RunningBlog;
  beforeAll(async () => {
    // The outbox's poll would add its own statements to the page's count: off for this test.
    running = await startBlog('memcached', undefined, { BLOG_STATS_ENDPOINT: '1', OUTBOX: 'off' }, 'only');
  });
  afterAll(async () => {
    await running.stop();
  });

  it("reports this process's sweeper, its deadline and its memcached servers", async () => {
    const stats = await statsOf(running);
    expect(stats.pid).toBe(process.pid);
    expect(stats.namespace).toBe(running.blog.sweeper.namespace);
    expect(stats.timeoutMs).toBe(running.blog.sweeper.timeoutMs);
    expect(stats.backend).toBe(`memcached only=${running.memcached!.address}`);
    expect(stats.servers).toEqual([
      expect.objectContaining({ name: 'only', address: running.memcached!.address, state: 'up' }),
    ]);
  });

  it('counts the loaders and their statements when a page misses', async () => {
    const visitor = new HttpVisitor(running.url);
    const before = await statsOf(running);
    await visitor.get('/articles/2');
    const missed = await statsOf(running);
    // The article page loads its row and its comments' ids (two statements); its four comments load in two.
    expect(missed.queries.loader - before.queries.loader).toBe(4);
    expect(missed.queries.loaderCalls - before.queries.loaderCalls).toBe(5);
    expect(missed.queries.sql - before.queries.sql).toBe(4); // the route itself runs none
    expect(missed.sweeper.hits).toBe(before.sweeper.hits);
  });

  it('counts no loader statement for a page served wholly from the cache', async () => {
    const { before, after } = await wholeHitView(running, '/articles/3');
    expect(after.queries.loader).toBe(before.queries.loader);
    expect(after.queries.sql - before.queries.sql).toBe(0); // not even the article row: the page's block exports its title
    expect(after.sweeper.hits - before.sweeper.hits).toBe(1);
  });

  it('counts no statement at all for a front page served wholly from the cache', async () => {
    const { before, after } = await wholeHitView(running, '/');
    expect(after.queries.sql - before.queries.sql).toBe(0); // the route loads no list: the list's block hit
    expect(after.sweeper.hits - before.sweeper.hits).toBe(1);
  });

  it('loads the list of articles in one statement when the front page misses, and only the changed summary', async () => {
    await wholeHitView(running, '/');
    const visitor = new HttpVisitor(running.url);
    const countOf = (html: string) => Number(/data-article-id="2">[\s\S]*?(\d+) comments/.exec(html)?.[1]);
    const counted = countOf((await visitor.get('/')).html);
    expect(Number.isInteger(counted)).toBe(true);
    const page = await visitor.get('/articles/2');
    // A new comment invalidates its article: its summary, and the list (the Article model's counter).
    const added = await visitor.addComment(2, page, { author: 'Stats', body: 'a comment the front page counts' });
    expect(added.status).toBe(303);
    await running.blog.sweeper.idle();
    const before = await statsOf(running);
    const { html } = await visitor.get('/');
    const after = await statsOf(running);
    expect(panelFigures(html)).toMatchObject({ misses: 2, uncached: 0 });
    expect(countOf(html)).toBe(counted + 1);
    // The list's ids (one statement), then the changed summary's row and comment count (two, run together).
    expect(after.queries.loaderCalls - before.queries.loaderCalls).toBe(2);
    expect(after.queries.sql - before.queries.sql).toBe(3);
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
    const { before, after } = await wholeHitView(running, '/articles/2');
    expect(after.queries.loaderCalls).toBe(before.queries.loaderCalls);
  });
});
