import { CacheSweeperError, DEFAULT_MAX_VALUE_BYTES, describeValue } from '@cachesweeper/core';
import type { ServerChange } from './server-health';
import { type NamedServer, parseServers, type ServerEntry } from './server-list';

/** Options of the npm `memcached` client that stay yours to tune; the rest are ours (see README). */
export interface ClientTuning {
  /** Connections per server, for the client's pool and for our reads each. Default: 10. */
  readonly poolSize?: number;
  /** Times the pool retries to get a connection (0 turns bursts into "connection pool is full"). Default: 3. */
  readonly retries?: number;
  /** First pool retry delay, in ms. Default: 20. */
  readonly minTimeout?: number;
  /** Largest pool retry delay, in ms. Default: 100. */
  readonly maxTimeout?: number;
  /** Growth factor of the pool retry delay. Default: 2. */
  readonly factor?: number;
  /** Connect timeout of a socket, in ms. Default: 1000. */
  readonly timeout?: number;
  /** An idle connection is closed after this many ms. Default: 5000. */
  readonly idle?: number;
}

/** Options of `memcachedBackend`. */
export interface MemcachedBackendOptions {
  /**
   * Each server: `'host:port'`, `'name=host:port'` or `{ name, address }`. Keys are spread over
   * several by consistent hashing of their names; a server without a name is named by its address,
   * normalised (see README).
   */
  readonly servers: ServerEntry | readonly ServerEntry[];
  /** Deadline of every operation, in ms; a late answer is a failure. Default: 100. */
  readonly timeoutMs?: number;
  /** Largest value stored, in bytes of UTF-8; larger values are cleanly not cached. Default: 1 MiB − 1 KiB. */
  readonly maxValueBytes?: number;
  /** How often a server that is down is probed, in ms. Default: 2000. */
  readonly retryMs?: number;
  /** How long a call that missed its deadline may still answer before its server counts as down, in ms. Default: 1000. */
  readonly graceMs?: number;
  /** Most keys in one `get` command; longer lists are split, and the parts sent at once. Default: 100. */
  readonly multiGetChunk?: number;
  /** Told when a server turns suspect, down or up again. */
  readonly onServerChange?: (change: ServerChange) => void;
  /** Connection pool settings of the npm `memcached` client. */
  readonly client?: ClientTuning;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly servers: readonly NamedServer[];
  readonly timeoutMs: number;
  readonly maxValueBytes: number;
  readonly retryMs: number;
  readonly graceMs: number;
  readonly multiGetChunk: number;
  readonly onServerChange: ((change: ServerChange) => void) | undefined;
  readonly client: Required<ClientTuning>;
}

const CLIENT_DEFAULTS: Required<ClientTuning> = {
  poolSize: 10,
  retries: 3,
  minTimeout: 20,
  maxTimeout: 100,
  factor: 2,
  timeout: 1000,
  idle: 5000,
};

/** Applies defaults and checks every option; throws a CacheSweeperError naming the bad one. */
export function resolveOptions(options: MemcachedBackendOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new CacheSweeperError('memcached', `options must be an object with "servers", got ${describeValue(options)}`);
  }
  const onServerChange = options.onServerChange;
  if (onServerChange !== undefined && typeof onServerChange !== 'function') {
    throw new CacheSweeperError('memcached', `onServerChange must be a function, got ${describeValue(onServerChange)}`);
  }
  const client = { ...CLIENT_DEFAULTS };
  for (const [name, value] of Object.entries(options.client ?? {})) {
    if (!(name in CLIENT_DEFAULTS)) {
      throw new CacheSweeperError(
        'memcached',
        `client option ${describeValue(name)} is not one we let you tune (${Object.keys(CLIENT_DEFAULTS).join(', ')})`,
      );
    }
    client[name as keyof ClientTuning] = whole(`client.${name}`, value, 0, undefined);
  }
  client.poolSize = whole('client.poolSize', client.poolSize, 1, undefined);
  client.factor = whole('client.factor', client.factor, 1, undefined);
  return {
    servers: parseServers(options.servers),
    timeoutMs: whole('timeoutMs', options.timeoutMs, 1, 100),
    maxValueBytes: whole('maxValueBytes', options.maxValueBytes, 1, DEFAULT_MAX_VALUE_BYTES),
    retryMs: whole('retryMs', options.retryMs, 1, 2000),
    graceMs: whole('graceMs', options.graceMs, 1, 1000),
    multiGetChunk: whole('multiGetChunk', options.multiGetChunk, 1, 100),
    onServerChange,
    client,
  };
}

function whole(name: string, value: unknown, min: number, fallback: number | undefined): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new CacheSweeperError(
      'memcached',
      `option ${name} must be a whole number >= ${min}, got ${describeValue(value)}`,
    );
  }
  return value;
}
