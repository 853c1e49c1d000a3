import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemcachedBackend } from '@cachesweeper/memcached';
import { type FaultProxy, type MemcachedProcess, startFaultProxy, startMemcached } from '@cachesweeper/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Blog, createBlog } from '../src/app';
import { readConfig } from '../src/config';
import { HttpVisitor, likesOf } from './support/browser-less-visitor';

// The blog on two memcached servers, a and b, when this process cannot read b (its link holds
// every byte). Every block is keyed on its row's counter and its model's generation; the blog's
// Comment generation hashes to b. Kept as one key each, b out meant every comment block rendered
// uncached; with a copy of each generation on every server, the comments whose own counters
// live on a were served (5 of 13 blocks); with a copy of each counter on the other server too,
// every block is, from the copies on a and the fragments this process holds.
describe('the blog when it cannot read one of its two memcached servers', () => {
  let servers: MemcachedProcess[];
  let proxy: FaultProxy;
  let blog: Blog;
  let url: string;
  let close: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), 'cachesweeper-server-out-'));

  beforeAll(async () => {
    servers = await Promise.all([startMemcached(), startMemcached()]);
    proxy = await startFaultProxy(servers[1]!.address);
    const config = readConfig({
      DATABASE_PATH: join(dir, 'blog.sqlite'),
      PORT: '0',
      MEMCACHED_SERVERS: `a=${servers[0]!.address},b=${proxy.address}`,
      OUTBOX: 'off',
    });
    blog = await createBlog({
      config,
      seed: { articles: 2, commentsPerArticle: 4, firstArticleComments: 12, maxVotesPerComment: 3 },
      onCacheError: () => {}, // b's failures are the point of the test
    });
    const server = blog.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    };
  });
  afterAll(async () => {
    proxy.setMode('pass');
    await close();
    await blog.close();
    await proxy.close();
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Views a page; returns its body and the blocks it served from the cache, rendered, and rendered uncached. */
  async function view(path: string) {
    const before = { ...blog.sweeper.stats() };
    const response = await fetch(url + path);
    const html = await response.text();
    await blog.sweeper.idle();
    const after = blog.sweeper.stats();
    // The cache panel and each visitor's CSRF token differ from view to view.
    const page = html.replace(/<aside[\s\S]*<\/aside>/, '').replace(/name="_csrf" value="[^"]*"/g, '');
    return {
      status: response.status,
      page,
      hits: after.hits - before.hits,
      misses: after.misses - before.misses,
      uncached: after.uncached - before.uncached,
    };
  }

  it('serves every block from the copies on the server it can read, and the same page', async () => {
    await view('/articles/1'); // rendered and stored
    const warm = await view('/articles/1'); // read back: the process keeps copies of the fragments
    expect(warm).toMatchObject({ status: 200, misses: 0, uncached: 0 });

    proxy.setMode('hold');
    const backend = blog.sweeper.backend as MemcachedBackend;
    // The first page to ask b waits a deadline and finds it late: b is suspect, then down.
    await view('/articles/1');
    expect(backend.servers().find((server) => server.name === 'b')?.state).not.toBe('up');

    const out = await view('/articles/1');
    expect(out.status).toBe(200);
    expect(out.page).toBe(warm.page);
    expect(out).toMatchObject({ hits: warm.hits, misses: 0, uncached: 0 });
  });

  it('shows a vote cast while b is out on the next page, whichever server its counter lives on', async () => {
    const visitor = new HttpVisitor(url);
    for (const comment of [1, 2, 3, 4]) {
      const before = await visitor.get('/articles/1');
      const liked = await visitor.post(`/comments/${comment}/like`, { _csrf: HttpVisitor.csrfTokenIn(before.html) });
      expect(liked.status).toBe(303);
      const after = await visitor.get('/articles/1');
      expect(likesOf(after.html, comment)).toBe(likesOf(before.html, comment) + 1);
    }
  });
});
