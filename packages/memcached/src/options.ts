import { CacheSweeperError, DEFAULT_MAX_VALUE_BYTES, describeValue } from '@cachesweeper/core';
import type { ClientTuning, MemcachedBackendOptions, NamedServer, ServerChange } from './public-types';
import { parseServers } from './server-list';

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly servers: readonly NamedServer[];
  readonly timeoutMs: number;
  readonly writeTimeoutMs: number;
  readonly maxValueBytes: number;
  readonly retryMs: number;
  readonly maxRetryMs: number;
  readonly minFlushIntervalMs: number;
  readonly replayLimit: number;
  readonly graceMs: number;
  readonly multiGetChunk: number;
  readonly onServerChange: ((change: ServerChange) => void) | undefined;
  readonly leases: boolean;
  readonly keyCopies: boolean;
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
  const leases = trueOrFalse('leases', options.leases);
  const keyCopies = trueOrFalse('keyCopies', options.keyCopies);
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
  const retryMs = whole('retryMs', options.retryMs, 1, 2000);
  const maxRetryMs = whole('maxRetryMs', options.maxRetryMs, 1, Math.max(30_000, retryMs));
  if (maxRetryMs < retryMs) {
    throw new CacheSweeperError(
      'memcached',
      `option maxRetryMs (${maxRetryMs}) must be at least retryMs (${retryMs}): it caps the wait between probes`,
    );
  }
  return {
    servers: parseServers(options.servers),
    timeoutMs: whole('timeoutMs', options.timeoutMs, 1, 100),
    writeTimeoutMs: whole('writeTimeoutMs', options.writeTimeoutMs, 1, 1000),
    maxValueBytes: whole('maxValueBytes', options.maxValueBytes, 1, DEFAULT_MAX_VALUE_BYTES),
    retryMs,
    maxRetryMs,
    minFlushIntervalMs: whole('minFlushIntervalMs', options.minFlushIntervalMs, 0, 30_000),
    replayLimit: whole('replayLimit', options.replayLimit, 1, 10_000),
    graceMs: whole('graceMs', options.graceMs, 1, 1000),
    multiGetChunk: whole('multiGetChunk', options.multiGetChunk, 1, 250),
    onServerChange,
    leases,
    keyCopies,
    client,
  };
}

/** A boolean option, true unless given; throws naming it for anything but a boolean. */
function trueOrFalse(name: string, value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') {
    throw new CacheSweeperError('memcached', `option ${name} must be true or false, got ${describeValue(value)}`);
  }
  return value;
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
