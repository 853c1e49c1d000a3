import { CacheSweeperError, DEFAULT_MAX_VALUE_BYTES, describeValue } from '@cachesweeper/core';
import type { ClientTuning, MemcachedBackendOptions, NamedServer, ServerChange } from './public-types';
import { parseServers } from './server-list';

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
