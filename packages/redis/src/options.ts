import { CacheSweeperError, DEFAULT_MAX_VALUE_BYTES, describeValue } from '@cachesweeper/core';
import { Cluster, Redis } from 'ioredis';
import type { RedisBackendEvent } from './status';

/**
 * An ioredis `Redis` or `Cluster` you made. Typed by shape, so that these types do not
 * load ioredis's own (ioredis 6's import `redis-errors`, which ships none: a strict
 * project without `skipLibCheck` would fail on them); checked with `instanceof` at runtime.
 */
export interface RedisClient {
  /** The client's connection status, e.g. `ready`. */
  readonly status: string;
  /** ioredis's generic command method. */
  call(command: string, ...args: never[]): Promise<unknown>;
}

/** Options of `redisBackend`: where Redis is (exactly one of `url`, `host`, `nodes`, `client`), and how long to wait. */
export interface RedisBackendOptions {
  /** One server: `redis://[[user]:password@]host[:port][/db]`, or `rediss://…` for TLS. */
  readonly url?: string;
  /** One server by host name (with `port`). */
  readonly host?: string;
  /** Port of `host`. Default: 6379. */
  readonly port?: number;
  /** Redis Cluster: `host:port` of one or more of its nodes; the others are discovered. */
  readonly nodes?: string | readonly string[];
  /** A client you made (an ioredis `Redis` or `Cluster`); it stays yours: `close()` leaves it connected. */
  readonly client?: RedisClient;
  /** ACL user name for `host` or `nodes` (a `url` carries its own). */
  readonly username?: string;
  /** Password for `host` or `nodes` (a `url` carries its own). */
  readonly password?: string;
  /** Deadline of every operation, in ms; a late answer is a failure (a miss for the page). Default: 100. */
  readonly timeoutMs?: number;
  /** How long a silent connection with commands in flight is kept before it is dropped and made anew, in ms. Default: 1000. */
  readonly graceMs?: number;
  /** Delay between reconnection attempts, and between attempts to replay missed invalidations, in ms. Default: 500. */
  readonly retryMs?: number;
  /** Largest value stored, in bytes of UTF-8; larger values are cleanly not cached. Default: 1 MiB − 1 KiB. */
  readonly maxValueBytes?: number;
  /** Most counter bumps remembered for replay; past it, their namespaces are purged instead (see README). Default: 10,000. */
  readonly maxPendingBumps?: number;
  /** Told when a node turns suspect or answers again, and when missed bumps are replayed or a namespace is purged. */
  readonly onEvent?: (event: RedisBackendEvent) => void;
}

/** Where the backend's Redis is. */
export type RedisTarget =
  | { readonly kind: 'url'; readonly url: string; readonly label: string }
  | { readonly kind: 'server'; readonly host: string; readonly port: number; readonly label: string }
  | { readonly kind: 'cluster'; readonly nodes: readonly { host: string; port: number }[]; readonly label: string }
  | { readonly kind: 'client'; readonly client: Redis | Cluster; readonly label: string };

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly target: RedisTarget;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly timeoutMs: number;
  readonly graceMs: number;
  readonly retryMs: number;
  readonly maxValueBytes: number;
  readonly maxPendingBumps: number;
  readonly onEvent: ((event: RedisBackendEvent) => void) | undefined;
}

const HOST_PORT = /^([^\s:/]+):(\d{1,5})$/;
const WHERE = ['url', 'host', 'nodes', 'client'] as const;

/** Applies defaults and checks every option; throws a CacheSweeperError naming the bad one. */
export function resolveOptions(options: RedisBackendOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new CacheSweeperError(
      'redis',
      `options must be an object with one of url, host, nodes or client, got ${describeValue(options)}`,
    );
  }
  const { onEvent, username, password } = options;
  if (onEvent !== undefined && typeof onEvent !== 'function') {
    throw new CacheSweeperError('redis', `onEvent must be a function, got ${describeValue(onEvent)}`);
  }
  for (const [name, value] of [
    ['username', username],
    ['password', password],
  ] as const) {
    if (value !== undefined && typeof value !== 'string') {
      throw new CacheSweeperError('redis', `option ${name} must be a string, got ${describeValue(value)}`);
    }
  }
  return {
    target: resolveTarget(options),
    username,
    password,
    timeoutMs: whole('timeoutMs', options.timeoutMs, 1, 100),
    graceMs: whole('graceMs', options.graceMs, 1, 1000),
    retryMs: whole('retryMs', options.retryMs, 1, 500),
    maxValueBytes: whole('maxValueBytes', options.maxValueBytes, 1, DEFAULT_MAX_VALUE_BYTES),
    maxPendingBumps: whole('maxPendingBumps', options.maxPendingBumps, 1, 10_000),
    onEvent,
  };
}

function resolveTarget(options: RedisBackendOptions): RedisTarget {
  const given = WHERE.filter((name) => options[name] !== undefined);
  if (given.length !== 1) {
    throw new CacheSweeperError(
      'redis',
      given.length === 0
        ? 'say where Redis is: one of url, host, nodes (Redis Cluster) or client'
        : `give only one of url, host, nodes or client, got ${given.join(' and ')}`,
    );
  }
  if (options.port !== undefined && options.host === undefined) {
    throw new CacheSweeperError('redis', `option port ${describeValue(options.port)} needs host`);
  }
  if (options.url !== undefined) return urlTarget(options.url);
  if (options.host !== undefined) {
    if (typeof options.host !== 'string' || !/^[^\s/]+$/.test(options.host)) {
      throw new CacheSweeperError(
        'redis',
        `option host must be a host name or address, got ${describeValue(options.host)}`,
      );
    }
    const port = whole('port', options.port, 1, 6379);
    if (port > 65_535) throw new CacheSweeperError('redis', `option port must be <= 65535, got ${port}`);
    return { kind: 'server', host: options.host, port, label: `${options.host}:${port}` };
  }
  if (options.nodes !== undefined) return clusterTarget(options.nodes);
  const client: unknown = options.client;
  if (client instanceof Cluster) return { kind: 'client', client, label: 'your Redis Cluster client' };
  if (client instanceof Redis) {
    const { host, port } = client.options;
    return { kind: 'client', client, label: `${host ?? 'localhost'}:${port ?? 6379}` };
  }
  throw new CacheSweeperError(
    'redis',
    `option client must be an ioredis Redis or Cluster instance, got ${describeValue(client)}`,
  );
}

function urlTarget(url: unknown): RedisTarget {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !['redis:', 'rediss:'].includes(parsed.protocol) || parsed.hostname === '') {
    // Never echo the URL itself: it may hold a password.
    throw new CacheSweeperError(
      'redis',
      `option url must look like redis://host:port or rediss://host:port, got ${typeof url === 'string' ? 'a string that does not' : describeValue(url)}`,
    );
  }
  return { kind: 'url', url: url as string, label: `${parsed.hostname}:${parsed.port || '6379'}` };
}

function clusterTarget(nodes: unknown): RedisTarget {
  const list = typeof nodes === 'string' ? [nodes] : nodes;
  if (!Array.isArray(list) || list.length === 0) {
    throw new CacheSweeperError(
      'redis',
      `option nodes must be "host:port" or a non-empty array of them, got ${describeValue(nodes)}`,
    );
  }
  const parsed = list.map((node) => {
    const match = typeof node === 'string' ? HOST_PORT.exec(node) : null;
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65_535) {
      throw new CacheSweeperError('redis', `cluster node ${describeValue(node)} is not "host:port"`);
    }
    return { host: match[1] as string, port };
  });
  return { kind: 'cluster', nodes: parsed, label: `Redis Cluster ${list.join(', ')}` };
}

function whole(name: string, value: unknown, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new CacheSweeperError(
      'redis',
      `option ${name} must be a whole number >= ${min}, got ${describeValue(value)}`,
    );
  }
  return value;
}
