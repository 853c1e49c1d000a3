/**
 * The calls we make through the npm `memcached` client, each with the reading of its
 * answer. The client answers through `(error, value)` with shapes of its own:
 * `incr` on a missing key is `false`, a refused `add` is an error flagged
 * `notStored`. Multi-gets go over our own connections (see `ReadPool`).
 * Anything else than the expected shape counts as the server's fault.
 */
import type { Answer, Call, CounterReplay, ReadCommand, Timing } from './call-contract';

const MAX_COUNTER = Number.MAX_SAFE_INTEGER;

function ok<T>(value: T): Answer<T> {
  return { ok: true, value };
}

function fault(reason: string): Answer<never> {
  return { ok: false, reason, fault: true };
}

function describeError(error: unknown): string {
  const errors = Array.isArray(error) ? error : [error];
  return errors.map((each) => (each instanceof Error ? each.message : String(each))).join('; ');
}

function unexpected(value: unknown): Answer<never> {
  return fault(`unexpected answer ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
}

/** `get k1 k2 …` (distinct keys) to one server; resolves the values found, by key. Keys the server did not name are misses. */
export function multiGetCall(keys: readonly string[], timing: Timing): Call<Map<string, string>> {
  return {
    what: `get of ${keys.length} key(s)`,
    ...timing,
    send: (client, callback) => client.readMany(keys, callback),
    read(error, found) {
      if (error) return fault(describeError(error));
      return found instanceof Map ? ok(found as Map<string, string>) : unexpected(found);
    },
  };
}

/** Read commands (`gets`, `mg`, `md`) pipelined on one connection; each command holds its own answer. */
export function readBatchCall(commands: readonly ReadCommand[], what: string, timing: Timing): Call<void> {
  return {
    what,
    ...timing,
    send: (client, callback) => client.readBatch(commands, (error) => callback(error, undefined)),
    read(error) {
      return error ? fault(describeError(error)) : ok(undefined);
    },
  };
}

/** `set`; `false` when the server refused the item as too large. */
export function setCall(key: string, value: string, ttlSeconds: number, timing: Timing): Call<boolean> {
  return {
    what: `set of "${key}"`,
    ...timing,
    send: (client, callback) => client.store('set', key, value, ttlSeconds, callback),
    read(error, stored) {
      if (error) return fault(describeError(error));
      return typeof stored === 'boolean' ? ok(stored) : unexpected(stored);
    },
  };
}

/** `add`; `false` when the key existed. */
export function addCall(key: string, value: string, ttlSeconds: number, timing: Timing): Call<boolean> {
  return {
    what: `add of "${key}"`,
    ...timing,
    send: (client, callback) => client.store('add', key, value, ttlSeconds, callback),
    read(error, stored) {
      if ((error as { notStored?: boolean } | undefined)?.notStored === true) return ok(false);
      if (error) return fault(describeError(error));
      return typeof stored === 'boolean' ? ok(stored) : unexpected(stored);
    },
  };
}

/** `incr`; `undefined` when the key is missing (the client says `false`). */
export function incrCall(key: string, by: number, timing: Timing): Call<number | undefined> {
  return {
    what: `incr of "${key}"`,
    ...timing,
    replay: { kind: 'incr', key, by },
    send: (client, callback) => client.incr(key, by, callback),
    read(error, counter) {
      if (error) {
        const reason = describeError(error);
        // A CLIENT_ERROR about the stored value is the value's problem, not the server's.
        const valueProblem = /non-numeric value|invalid numeric delta/i.test(reason);
        return { ok: false, reason, fault: !valueProblem };
      }
      if (counter === false) return ok(undefined);
      if (typeof counter !== 'number' || !Number.isInteger(counter) || counter < 0) return unexpected(counter);
      if (counter > MAX_COUNTER) return { ok: false, reason: `counter ${counter} is above 2^53`, fault: false };
      return ok(counter);
    },
  };
}

/** `delete`; whether the key was there. */
export function deleteCall(key: string, timing: Timing): Call<boolean> {
  return {
    what: `delete of "${key}"`,
    ...timing,
    replay: { kind: 'delete', key },
    send: (client, callback) => client.del(key, callback),
    read(error, deleted) {
      if (error) return fault(describeError(error));
      return typeof deleted === 'boolean' ? ok(deleted) : unexpected(deleted);
    },
  };
}

/**
 * The counter write `replay` sent again. Any answer settles it, a refusal included
 * (a counter that holds no number was not bumped, and never will be); only silence
 * or a fault of the server leaves its outcome unknown.
 */
export function replayCall(replay: CounterReplay, timing: Timing): Call<void> {
  const first: Call<unknown> =
    replay.kind === 'incr' ? incrCall(replay.key, replay.by, timing) : deleteCall(replay.key, timing);
  return {
    ...first,
    what: `replay of ${first.what}`,
    read(error, value) {
      const answer = first.read(error, value);
      return answer.ok || !answer.fault ? ok(undefined) : answer;
    },
  };
}

/** `version`: proof of life. */
export function versionCall(timing: Timing): Call<void> {
  return {
    what: 'version',
    ...timing,
    send: (client, callback) => client.version(callback),
    read(error, versions) {
      if (error) return fault(describeError(error));
      return Array.isArray(versions) && versions.length === 1 ? ok(undefined) : unexpected(versions);
    },
  };
}

/**
 * `flush_all`: drops every item of the server. One the application asked for is
 * `requested`: if its outcome is unknown when the server is dropped, it is sent
 * again when the server returns.
 */
export function flushCall(timing: Timing, requested = false): Call<void> {
  return {
    what: 'flush_all',
    ...timing,
    ...(requested ? { replay: { kind: 'flush' } as const } : {}),
    send: (client, callback) => client.flush(callback),
    read(error, results) {
      if (error) return fault(describeError(error));
      return Array.isArray(results) && results.length === 1 && results[0] === true
        ? ok(undefined)
        : unexpected(results);
    },
  };
}
