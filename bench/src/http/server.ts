import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BlogFixture, seedBlogs } from '../fixtures';
import { uncachedBlogApp } from './uncached-app';

// The HTTP comparison's server process: the real blog on the memory backend and on
// memcached, and the same page without a cache (naive and batched queries, one SQLite
// file), each on its own loopback port. Prints `{"ports":{…}}` once listening; exits on SIGTERM.
// Environment: BENCH_DIR, BENCH_MEMCACHED (host:port), BENCH_COMMENTS (N).

const dir = process.env.BENCH_DIR as string;
const memcachedAddress = process.env.BENCH_MEMCACHED as string;
const comments = Number(process.env.BENCH_COMMENTS);
process.setSourceMapsEnabled(false);

const [memory, memcached, plain] = (await seedBlogs([
  { dir, comments, backend: 'memory', label: 'http-memory' },
  { dir, comments, backend: 'memcached', memcachedAddress, label: 'http-memcached' },
  { dir, comments, backend: 'memory', label: 'http-uncached' },
])) as [BlogFixture, BlogFixture, BlogFixture];
const apps = {
  uncached: uncachedBlogApp(plain, 'naive'),
  'uncached-batched': uncachedBlogApp(plain, 'batched'),
  memory: memory.blog.app,
  memcached: memcached.blog.app,
};

const servers: Server[] = [];
const ports: Record<string, number> = {};
for (const [name, app] of Object.entries(apps)) {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  ports[name] = (server.address() as AddressInfo).port;
}
const viewCache = Object.values(apps).every((app) => app.enabled('view cache'));
process.stdout.write(
  `${JSON.stringify({ ports, articleId: memory.articleId, viewCache, env: process.env.NODE_ENV })}\n`,
);

process.once('SIGTERM', async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  const errors = memory.cacheErrors.length + memcached.cacheErrors.length;
  process.stdout.write(`${JSON.stringify({ cacheErrors: errors })}\n`);
  for (const fixture of [memory, memcached, plain]) await fixture.close();
  process.exit(0);
});
