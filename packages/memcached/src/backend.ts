import { type CacheBackend, type CacheEntry, CacheSweeperError, describeValue } from '@cachesweeper/core';
import type { Call } from './call-contract';
import { callWithDeadline } from './call-with-deadline';
import { addCall, deleteCall, incrCall, setCall } from './commands';
import { GuardedClient } from './guarded-client';
import { keyCopies } from './key-copies';
import { checkEntries, checkIncrement, checkKey, checkTtl, isStorable } from './keys-and-values';
import { createLeases } from './lease-operations';
import { multiGet } from './multi-get';
import { resolveOptions } from './options';
import type { MemcachedBackendOptions, ServerStatus } from './public-types';
import { createRouter } from './router';
import { ServerSlot } from './server-slot';

/** A `CacheBackend` on memcached, which also tells where each of its servers stands. */
export interface MemcachedBackend extends CacheBackend {
  /** The name, address, state and history of each server, in the order given. */
  servers(): ServerStatus[];
}

/**
 * A cachesweeper backend on one or several memcached servers, through the npm
 * `memcached` client, hardened: every operation settles once within its deadline,
 * keys and values are checked before they reach the client, a server that fails is
 * skipped (its keys are misses) and repaired before it is used again.
 *
 * @example
 * const backend = memcachedBackend({ servers: ['10.0.0.1:11211', '10.0.0.2:11211'] });
 * const sweeper = createSweeper({ backend });
 */
export function memcachedBackend(options: MemcachedBackendOptions): MemcachedBackend {
  const settings = resolveOptions(options);
  const { maxValueBytes } = settings;
  const timing = { timeoutMs: settings.timeoutMs, graceMs: settings.graceMs };
  const counterTiming = { timeoutMs: settings.writeTimeoutMs, graceMs: settings.graceMs };
  const slots = new Map(
    settings.servers.map((server) => [
      server.name,
      new ServerSlot(server, {
        ...timing,
        writeTimeoutMs: settings.writeTimeoutMs,
        retryMs: settings.retryMs,
        maxRetryMs: settings.maxRetryMs,
        minFlushIntervalMs: settings.minFlushIntervalMs,
        replayLimit: settings.replayLimit,
        onChange: settings.onServerChange,
        makeClient: (watcher) => new GuardedClient(server.address, settings.client, watcher),
      }),
    ]),
  );
  const names = settings.servers.map((server) => server.name);
  const route = createRouter(names);
  const slotOf = (key: string) => slots.get(route(key))!;
  const multiGetSettings = { ...timing, chunk: settings.multiGetChunk, slotOf };
  let closed = false;

  /** Runs `work` unless closed; anything it throws (bad input) becomes a rejection. */
  const guard = <T>(operation: string, work: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new CacheSweeperError('memcached', `${operation} after close()`));
    try {
      return work();
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const write = <T>(operation: string, key: string, call: Call<T>): Promise<T> => {
    const slot = slotOf(key);
    const lease = slot.lease(true);
    if (lease === undefined) return Promise.reject(slot.unavailable(`${operation} of "${key}"`, call.replay));
    return callWithDeadline(lease, call);
  };

  // memcached drops the old value of a key whose new value it refuses; so do we.
  const refuse = async (key: string): Promise<boolean> => {
    const lease = slotOf(key).lease(true);
    if (lease !== undefined) await callWithDeadline(lease, deleteCall(key, timing)).catch(() => undefined);
    return false;
  };

  const set = (key: string, value: string, ttlSeconds: number) =>
    guard('set', () => {
      checkKey(key, 'set');
      const ttl = checkTtl(ttlSeconds, 'set');
      if (!isStorable(value, maxValueBytes, 'set')) return refuse(key);
      return write('set', key, setCall(key, value, ttl, timing));
    });

  return {
    name: 'memcached',
    maxValueBytes,
    ...(settings.leases ? { leases: createLeases({ ...multiGetSettings, maxValueBytes, refuse }, guard) } : {}),
    // With one server there is nowhere else to keep a copy.
    ...(names.length > 1 && settings.keyCopies
      ? { placement: keyCopies(route, names, (server) => slots.get(server)!.readable()) }
      : {}),
    get: (key) =>
      guard('get', async () => {
        checkKey(key, 'get');
        const [value] = await multiGet([key], multiGetSettings);
        return value;
      }),
    getMany: (keys) =>
      guard('getMany', () => {
        if (!Array.isArray(keys)) {
          throw new CacheSweeperError('memcached', `getMany takes an array of keys, got ${describeValue(keys)}`);
        }
        for (const key of keys) checkKey(key, 'getMany');
        return multiGet(keys, multiGetSettings);
      }),
    set,
    setMany: (entries: readonly CacheEntry[]) =>
      guard('setMany', () => {
        checkEntries(entries, maxValueBytes, 'setMany');
        return Promise.all(entries.map((entry) => set(entry.key, entry.value, entry.ttlSeconds)));
      }),
    add: (key, value, ttlSeconds) =>
      guard('add', async () => {
        checkKey(key, 'add');
        const ttl = checkTtl(ttlSeconds, 'add');
        if (!isStorable(value, maxValueBytes, 'add')) return false;
        const slot = slotOf(key);
        // The sweeper adds a counter its read found missing; a suspect server's keys read as missing unasked.
        if (slot.refusesAdds()) throw suspectForAdd(slot, `add of "${key}"`);
        return write('add', key, addCall(key, value, ttl, timing));
      }),
    incr: (key, by) =>
      guard('incr', () => {
        checkKey(key, 'incr');
        return write('incr', key, incrCall(key, checkIncrement(by, key), counterTiming));
      }),
    delete: (key) =>
      guard('delete', () => {
        checkKey(key, 'delete');
        return write('delete', key, deleteCall(key, counterTiming));
      }),
    flush: () =>
      guard('flush', async () => {
        // A server that cannot be flushed now is down, or soon will be: it is flushed before it is used again.
        await Promise.all([...slots.values()].map((slot) => slot.flush().catch(() => undefined)));
      }),
    close: () => {
      closed = true;
      for (const slot of slots.values()) slot.close();
      return Promise.resolve();
    },
    servers: () => [...slots.values()].map((slot) => slot.status()),
  };
}

/** Why an `add` is not sent to a suspect server (see `ServerSlot.refusesAdds`). */
function suspectForAdd(slot: ServerSlot, operation: string): CacheSweeperError {
  return new CacheSweeperError(
    'memcached',
    `${operation}: server ${slot.label} is suspect (a call to it missed its deadline and has not been answered); ` +
      'its keys read as misses, so the add is not sent',
  );
}
