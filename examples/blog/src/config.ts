import { resolve } from 'node:path';

/** Everything the blog reads from its environment. */
export interface BlogConfig {
  /** HTTP port (`PORT`, default 3000). */
  readonly port: number;
  /** SQLite file (`DATABASE_PATH`, default `data/blog.sqlite` beside the package); `:memory:` for a throwaway one. */
  readonly databasePath: string;
  /** memcached servers (`MEMCACHED_SERVERS`, comma-separated `host:port`); empty = the in-memory backend. */
  readonly memcachedServers: readonly string[];
  /** Redis (`REDIS_URL`, `redis://host:port` or `rediss://…`); not together with memcached servers. */
  readonly redisUrl?: string | undefined;
  /** Secret for the per-visitor CSRF tokens (`SESSION_SECRET`; default: random per process). */
  readonly sessionSecret: string | undefined;
  /**
   * Durable invalidations through the installer's transactional outbox (`OUTBOX=on|off`).
   * Default (`undefined`): on, except for a `:memory:` database, which one process owns.
   */
  readonly outbox?: boolean | undefined;
  /** `CACHE=off` renders every block in place, with no cache reads or writes (development); default on. */
  readonly caching?: boolean | undefined;
}

/** Reads the blog's configuration; throws with the variable's name on a bad value. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): BlogConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`[cachesweeper] [blog] PORT must be a TCP port number, got ${JSON.stringify(env.PORT)}`);
  }
  const servers = (env.MEMCACHED_SERVERS ?? '')
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean);
  for (const server of servers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(server)) {
      throw new Error(`[cachesweeper] [blog] MEMCACHED_SERVERS entry ${JSON.stringify(server)} must be host:port`);
    }
  }
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl !== undefined && servers.length > 0) {
    throw new Error('[cachesweeper] [blog] set MEMCACHED_SERVERS or REDIS_URL, not both: the blog uses one cache');
  }
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s/]+/.test(redisUrl)) {
    throw new Error('[cachesweeper] [blog] REDIS_URL must look like redis://host:port (or rediss:// for TLS)');
  }
  const outbox = env.OUTBOX?.trim().toLowerCase();
  if (outbox !== undefined && outbox !== '' && outbox !== 'on' && outbox !== 'off') {
    throw new Error(`[cachesweeper] [blog] OUTBOX must be on or off, got ${JSON.stringify(env.OUTBOX)}`);
  }
  const cache = env.CACHE?.trim().toLowerCase();
  if (cache !== undefined && cache !== '' && cache !== 'on' && cache !== 'off') {
    throw new Error(`[cachesweeper] [blog] CACHE must be on or off, got ${JSON.stringify(env.CACHE)}`);
  }
  return {
    port,
    databasePath: env.DATABASE_PATH ?? resolve(import.meta.dirname, '../data/blog.sqlite'),
    memcachedServers: servers,
    redisUrl,
    sessionSecret: env.SESSION_SECRET,
    outbox: outbox === 'on' ? true : outbox === 'off' ? false : undefined,
    caching: cache !== 'off',
  };
}
