import { type CacheBackend, type CacheEntry, CacheSweeperError } from '@cachesweeper/core';
import { BumpJournal } from './bump-journal';
import { callWithin, type InFlight, type LateOutcome } from './call';
import {
  type Command,
  groupByNode,
  incrIfExists,
  isValueProblem,
  readCounter,
  run,
  runPipeline,
  setCommand,
} from './commands';
import { connect } from './connection';
import { checkArray, checkIncrement, checkKey, checkTtl, isStorable } from './keys-and-values';
import { NodeHealth } from './node-health';
import { type RedisBackendOptions, resolveOptions } from './options';
import { Repairer } from './repair';
import type { RedisBackendEvent, RedisBackendStatus } from './status';

/** A `CacheBackend` on Redis, which also tells where it stands. */
export interface RedisBackend extends CacheBackend {
  /** Connection, suspect nodes, and invalidations waiting to be replayed. */
  status(): RedisBackendStatus;
}

/**
 * A cachesweeper backend on one Redis server or a Redis Cluster, through ioredis,
 * hardened: every operation settles once within its deadline, nothing queues while
 * Redis is away, and a counter bump that failed is sent again when Redis answers
 * (its key is not read from Redis until then), so a server that missed an
 * invalidation never serves the old token. Never FLUSHALL/FLUSHDB.
 *
 * @example
 * const backend = redisBackend({ url: 'redis://127.0.0.1:6379' });
 * const sweeper = createSweeper({ backend });
 */
export function redisBackend(options: RedisBackendOptions): RedisBackend {
  const settings = resolveOptions(options);
  const { maxValueBytes, timeoutMs, graceMs } = settings;
  const connection = connect(settings);
  const { client } = connection;
  const emit = (event: RedisBackendEvent) => {
    try {
      settings.onEvent?.(event);
    } catch {
      // A throwing listener must not break the bookkeeping.
    }
  };
  const inFlight: InFlight = new Set();
  const health = new NodeHealth(graceMs, emit);
  const journal = new BumpJournal(settings.maxPendingBumps);
  let closed = false;

  /** One call to one node, within a deadline; tells the node's health how it went. */
  const within = <T>(
    what: string,
    node: string,
    work: () => Promise<T>,
    late?: (outcome: LateOutcome<T>) => void,
    ms = timeoutMs,
  ) =>
    callWithin(
      `${what} on ${node}`,
      ms,
      inFlight,
      { missed: () => health.missed(node, what), answered: () => health.answered(node), ...(late ? { late } : {}) },
      work,
    );
  const repairer = new Repairer({
    journal,
    connection,
    retryMs: settings.retryMs,
    emit,
    within: (what, node, work) =>
      callWithin(`${what} on ${node}`, graceMs, inFlight, { missed() {}, answered: () => health.answered(node) }, work),
  });
  const stopWatching = connection.onReady(() => repairer.kick());

  /** Runs `work` unless closed; anything it throws (bad input) becomes a rejection. */
  const guard = <T>(operation: string, work: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new CacheSweeperError('redis', `${operation} after close()`));
    try {
      return work();
    } catch (error) {
      return Promise.reject(error);
    }
  };

  /** Waits for the first connection, if it is still being made, within the deadline; resolves the time left. */
  const timeLeft = async (operation: string): Promise<number> => {
    const connecting = connection.firstReady();
    if (connecting === undefined) return timeoutMs;
    const start = performance.now();
    const noted = { missed() {}, answered() {} };
    await callWithin(`${operation}: connecting to ${connection.label}`, timeoutMs, inFlight, noted, () => connecting);
    return Math.max(1, Math.round(timeoutMs - (performance.now() - start)));
  };

  /** Sends commands that all live on `node`: one command alone, several in a pipeline. */
  const send = (what: string, node: string, commands: readonly Command[], ms: number) =>
    within(what, node, () => runPipeline(client, commands), undefined, ms);

  const readMany = async (keys: readonly string[]): Promise<(string | undefined)[]> => {
    if (keys.length === 0) return [];
    const ms = await timeLeft('get');
    const waiting = keys.find((key) => journal.holds(key));
    if (waiting !== undefined) {
      repairer.kick();
      throw new CacheSweeperError('redis', `read of "${waiting}": a bump of it waits to be replayed`);
    }
    const groups = groupByNode(keys, connection);
    const suspect = [...groups.keys()].find((node) => health.isSuspect(node));
    if (suspect !== undefined) {
      throw new CacheSweeperError('redis', `read of ${keys.length} key(s): ${suspect} missed a deadline, not asked`);
    }
    const values: (string | undefined)[] = new Array(keys.length);
    await Promise.all(
      [...groups].map(async ([node, slots]) => {
        const batches = [...slots.values()];
        // MGET cannot cross hash slots: one MGET per slot, the slots of a node in one pipeline.
        const commands: Command[] = batches.map((indices) => [
          'mget',
          ...indices.map((index) => keys[index] as string),
        ]);
        const answers = await send(`get of ${keys.length} key(s)`, node, commands, ms);
        batches.forEach((indices, batch) => {
          const found = answers[batch];
          if (!Array.isArray(found) || found.length !== indices.length) {
            throw new CacheSweeperError('redis', `get on ${node}: MGET answered ${String(found)}`);
          }
          indices.forEach((index, position) => {
            const value: unknown = found[position];
            values[index] = typeof value === 'string' ? value : undefined;
          });
        });
      }),
    );
    return values;
  };

  /** Stores entries (or drops the old value of those too large), grouped by node; one boolean per entry. */
  const writeMany = async (operation: string, entries: readonly CacheEntry[]): Promise<boolean[]> => {
    const stored = entries.map((entry) => isStorable(entry.value, maxValueBytes, operation));
    if (entries.length === 0) return stored;
    const ms = await timeLeft(operation);
    const groups = groupByNode(
      entries.map((entry) => entry.key),
      connection,
    );
    await Promise.all(
      [...groups].map(([node, slots]) => {
        const indices = [...slots.values()].flat();
        const commands = indices.map((index): Command => {
          const { key, value, ttlSeconds } = entries[index] as CacheEntry;
          // Redis keeps a value of any size; an oversized one is refused here, and its key's old value dropped.
          return stored[index] ? setCommand(key, value, ttlSeconds, false) : ['del', key];
        });
        return send(`${operation} of ${commands.length} key(s)`, node, commands, ms);
      }),
    );
    return stored;
  };

  const incr = async (key: string, by: number): Promise<number | undefined> => {
    const call = journal.nextCall();
    const failed = (error: unknown) => {
      if (!isValueProblem(error)) {
        journal.failed(key, call);
        repairer.schedule();
      }
      throw error;
    };
    let node: string;
    let ms: number;
    try {
      ms = await timeLeft('incr');
      node = connection.route(key).node;
    } catch (error) {
      return failed(error);
    }
    return within(
      `incr of "${key}"`,
      node,
      () => run(client, incrIfExists(key, by)),
      (late) => {
        if (late.ok) journal.landed(key, call);
      },
      ms,
    ).then((answer) => {
      journal.landed(key, call);
      return readCounter(key, answer);
    }, failed);
  };

  return {
    name: 'redis',
    maxValueBytes,
    get: (key) =>
      guard('get', async () => {
        checkKey(key, 'get');
        return (await readMany([key]))[0];
      }),
    getMany: (keys) =>
      guard('getMany', () => {
        for (const key of checkArray<string>(keys, 'getMany', 'keys')) checkKey(key, 'getMany');
        return readMany(keys);
      }),
    set: (key, value, ttlSeconds) =>
      guard('set', async () => {
        checkKey(key, 'set');
        const [stored] = await writeMany('set', [{ key, value, ttlSeconds: checkTtl(ttlSeconds, 'set') }]);
        return stored as boolean;
      }),
    setMany: (entries) =>
      guard('setMany', () => {
        for (const entry of checkArray<CacheEntry>(entries, 'setMany', 'entries')) {
          checkKey(entry?.key, 'setMany');
          checkTtl(entry.ttlSeconds, 'setMany');
          isStorable(entry.value, maxValueBytes, 'setMany');
        }
        return writeMany('setMany', entries);
      }),
    add: (key, value, ttlSeconds) =>
      guard('add', async () => {
        checkKey(key, 'add');
        const ttl = checkTtl(ttlSeconds, 'add');
        if (!isStorable(value, maxValueBytes, 'add')) return false;
        const ms = await timeLeft('add');
        const command = setCommand(key, value, ttl, true);
        const [answer] = await send(`add of "${key}"`, connection.route(key).node, [command], ms);
        return answer === 'OK';
      }),
    incr: (key, by) =>
      guard('incr', () => {
        checkKey(key, 'incr');
        return incr(key, checkIncrement(by, key));
      }),
    delete: (key) =>
      guard('delete', async () => {
        checkKey(key, 'delete');
        const ms = await timeLeft('delete');
        const [removed] = await send(`delete of "${key}"`, connection.route(key).node, [['del', key]], ms);
        return removed === 1;
      }),
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      repairer.close();
      stopWatching();
      const calls = [...inFlight];
      inFlight.clear();
      const error = new CacheSweeperError('redis', 'the backend was closed');
      for (const abort of calls) abort(error);
      connection.close();
      return Promise.resolve();
    },
    status: () => ({
      connection: connection.status(),
      pendingBumps: journal.size,
      pendingPurges: journal.pendingPrefixes(),
      suspects: health.suspects(),
      replayed: repairer.replayed,
      purgedKeys: repairer.purgedKeys,
    }),
  };
}
