import { resolve } from 'node:path';

/** Everything the blog reads from its environment. */
export interface BlogConfig {
  /** HTTP port (`PORT`, default 3000). */
  readonly port: number;
  /** SQLite file (`DATABASE_PATH`, default `data/blog.sqlite` beside the package); `:memory:` for a throwaway one. */
  readonly databasePath: string;
  /**
   * memcached servers (`MEMCACHED_SERVERS`, comma-separated `host:port` or `name=host:port`); empty = the
   * in-memory backend. Keys are spread by the servers' names: processes that reach a server by different
   * addresses (a sidecar, a proxy) must give it the same name.
   */
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
  /**
   * Comments declared within their article (`BLOG_RULES_WITHIN`): the article page's hit reads
   * 4 keys instead of one per comment. Default on; `WITHIN=off` runs `BLOG_RULES`.
   */
  readonly within?: boolean;
  /** `CACHE=off` renders every block in place, with no cache reads or writes (development); default on. */
  readonly caching?: boolean | undefined;
  /** Whether `GET /_cachesweeper/stats` answers with this process's cache and query figures (`BLOG_STATS_ENDPOINT`, default off). */
  readonly statsEndpoint?: boolean;
  /** Test-only: ms the article page's loader waits before it loads (`BLOG_RENDER_DELAY_MS`, default 0): a slow render on demand. */
  readonly renderDelayMs?: number;
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
    if (!SERVER_ENTRY.test(server)) {
      throw new Error(
        `[cachesweeper] [blog] MEMCACHED_SERVERS entry ${JSON.stringify(server)} must be host:port or name=host:port ` +
          '(a name is letters, digits, ".", "_" or "-")',
      );
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
    within: env.WITHIN === undefined ? true : readSwitch(env, 'WITHIN'),
    statsEndpoint: readSwitch(env, 'BLOG_STATS_ENDPOINT'),
    renderDelayMs: readMilliseconds(env, 'BLOG_RENDER_DELAY_MS'),
  };
}

// `name=` is optional; the memcached backend checks the rest (ports, names or addresses given twice).
const SERVER_ENTRY = /^(?:[A-Za-z0-9._-]{1,100}=)?[^\s:=/]+:\d{1,5}$/;
const ON = ['1', 'true', 'on', 'yes'];
const OFF = ['', '0', 'false', 'off', 'no'];

function readSwitch(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = (env[name] ?? '').trim().toLowerCase();
  if (ON.includes(value)) return true;
  if (OFF.includes(value)) return false;
  throw new Error(`[cachesweeper] [blog] ${name} must be 1/true/on or 0/false/off, got ${JSON.stringify(env[name])}`);
}

function readMilliseconds(env: NodeJS.ProcessEnv, name: string): number {
  const text = (env[name] ?? '').trim();
  const value = text === '' ? 0 : Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 600_000) {
    throw new Error(
      `[cachesweeper] [blog] ${name} must be whole milliseconds from 0 to 600000, got ${JSON.stringify(env[name])}`,
    );
  }
  return value;
}
