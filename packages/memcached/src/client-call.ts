import { CacheSweeperError } from '@cachesweeper/core';
import type { GuardedClient } from './guarded-client';

/** How the client's answer to one call reads: a value, or a failure that is (or is not) the server's fault. */
export type Answer<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string; readonly fault: boolean };

/** One call to one server: how to send it, and how to read the client's answer. */
export interface Call<T> {
  /** Names the call in errors, e.g. `set of "cs:Article:7"`. */
  readonly what: string;
  /** The call's deadline, in ms. */
  readonly timeoutMs: number;
  /** How long an answer may still come after the deadline before the server counts as down, in ms. */
  readonly graceMs: number;
  /** Sends the call through the client. */
  send(client: GuardedClient, callback: (error: unknown, value: unknown) => void): void;
  /** Reads the client's answer. */
  read(error: unknown, value: unknown): Answer<T>;
}

/** A server's client for the time of some calls, and where each call reports how it went. */
export interface Lease {
  /** The client to send through. */
  readonly client: GuardedClient;
  /** The server, for messages: its address, and its name when that differs. */
  readonly server: string;
  /** Whether the server is still in the epoch the lease was taken in (it has not gone down since). */
  current(): boolean;
  /** Registers a call still in flight; `abort` ends it early. Returns the function that unregisters it. */
  track(abort: (error: Error) => void): () => void;
  /** A call failed through the server's fault. */
  failed(reason: string): void;
  /** A call missed its deadline; its answer may still come. */
  missedDeadline(call: object): void;
  /** A call that missed its deadline was answered after all; `fault` says why the answer is bad, if it is. */
  answeredLate(call: object, fault: string | undefined): void;
}

/**
 * Sends one call and settles exactly once: with the answer, with a rejection when
 * the deadline passes first, or when the lease aborts it (server down, backend
 * closed). The client may call back late, twice or never; none of that can settle
 * the promise again or throw into the client. A late answer still tells the server
 * slot whether the server is alive; no answer within the grace period is a fault.
 */
export function callServer<T>(lease: Lease, call: Call<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const token = {};
    let phase: 'waiting' | 'late' | 'over' = 'waiting';
    let verdict: NodeJS.Immediate | undefined;
    let grace: NodeJS.Timeout | undefined;
    const failure = (message: string) =>
      new CacheSweeperError('memcached', `${call.what} on ${lease.server} ${message}`);

    const untrack = lease.track((error) => {
      const wasWaiting = phase === 'waiting';
      end();
      if (wasWaiting) reject(error);
    });
    const end = () => {
      phase = 'over';
      clearTimeout(deadline);
      clearImmediate(verdict);
      clearTimeout(grace);
      untrack();
    };
    // When the deadline fires, answers that arrived while this process was busy may
    // still sit unread in a socket: timers run before the poll phase of the event loop.
    // The verdict waits for that one poll phase (setImmediate), so a pause of our own
    // is not blamed on the server.
    // (Not unref'd: an unref'd immediate lets the poll phase block until the next timer.)
    const deadline = setTimeout(() => {
      verdict = setImmediate(expire);
    }, call.timeoutMs);
    const expire = () => {
      if (phase !== 'waiting') return;
      phase = 'late';
      lease.missedDeadline(token);
      grace = setTimeout(() => {
        if (phase !== 'late') return;
        end();
        lease.failed(`${call.what} got no answer ${call.timeoutMs + call.graceMs} ms after it was sent`);
      }, call.graceMs);
      grace.unref();
      reject(failure(`missed its ${call.timeoutMs} ms deadline`));
    };
    deadline.unref();

    const callback = (error: unknown, value: unknown) => {
      if (phase === 'over') return;
      let answer: Answer<T>;
      try {
        answer = call.read(error, value);
      } catch (thrown) {
        answer = { ok: false, reason: `unreadable answer (${String(thrown)})`, fault: true };
      }
      const late = phase === 'late';
      end();
      if (late) {
        lease.answeredLate(token, answer.ok || !answer.fault ? undefined : answer.reason);
      } else if (!lease.current()) {
        reject(failure('was answered after its server went down'));
      } else if (answer.ok) {
        resolve(answer.value);
      } else {
        if (answer.fault) lease.failed(answer.reason);
        reject(failure(`failed: ${answer.reason}`));
      }
    };

    try {
      call.send(lease.client, callback);
    } catch (error) {
      callback(error, undefined);
    }
  });
}
