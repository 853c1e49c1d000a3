import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createBlog } from './app';
import { cacheName } from './cache';
import { readConfig } from './config';

// `pnpm start`: the blog on its embedded defaults (SQLite file, in-memory cache) unless the
// environment says otherwise (PORT, DATABASE_PATH, MEMCACHED_SERVERS or REDIS_URL, SESSION_SECRET,
// and for tests BLOG_STATS_ENDPOINT, BLOG_RENDER_DELAY_MS: see README.md).
const config = readConfig();
if (config.databasePath !== ':memory:') mkdirSync(dirname(config.databasePath), { recursive: true });
const blog = await createBlog({ config });
const server = blog.app.listen(config.port, () => {
  const name = cacheName(config);
  const backend = name === 'memory' ? 'in-memory cache' : name;
  console.log(`cachesweeper blog on http://localhost:${config.port} (SQLite ${config.databasePath}, ${backend})`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void blog.close().then(() => process.exit(0));
  });
}
