import { CacheSweeperError } from '@cachesweeper/core';

/** How a call that missed its deadline ended after all. */
export type LateOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** What a call tells the backend besides its answer. */
export interface CallWatch<T> {
  /** The call missed its deadline; its answer may still come. */
  missed(): void;
  /** The server answered (in time or late, a value or an error reply): it is alive. */
  answered(): void;
  /** The answer of a call that had missed its deadline. */
  late?(outcome: LateOutcome<T>): void;
}

/** The calls in flight of one backend, so that `close()` can end them. */
export type InFlight = Set<(error: Error) => void>;

/** Whether `error` is an error reply of Redis (the server answered) rather than a failure to reach it. */
export function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError';
}

/**
 * Runs `work` and settles exactly once: with its answer, or with a rejection when
 * `timeoutMs` passes first or the backend closes. ioredis may answer late, never
 * or after a reconnect; none of that can settle the promise again. When the
 * deadline fires, the verdict waits one poll phase of the event loop, so that an
 * answer that arrived while this process was busy (a long render, a GC pause) is
 * read instead of being blamed on the server.
 */
export function callWithin<T>(
  what: string,
  timeoutMs: number,
  inFlight: InFlight,
  watch: CallWatch<T>,
  work: () => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let phase: 'waiting' | 'late' | 'over' = 'waiting';
    const abort = (error: Error) => {
      if (phase === 'waiting') reject(error);
      end();
    };
    const end = () => {
      phase = 'over';
      clearTimeout(deadline);
      inFlight.delete(abort);
    };
    inFlight.add(abort);
    // Not unref'd at the setImmediate step: an unref'd immediate lets the poll phase block until the next timer.
    const deadline = setTimeout(() => setImmediate(expire), timeoutMs);
    deadline.unref();
    const expire = () => {
      if (phase !== 'waiting') return;
      phase = 'late';
      inFlight.delete(abort);
      watch.missed();
      reject(new CacheSweeperError('redis', `${what} missed its ${timeoutMs} ms deadline`));
    };
    const settled = (outcome: LateOutcome<T>) => {
      if (outcome.ok || isReplyError(outcome.error)) watch.answered();
      if (phase === 'late') {
        phase = 'over';
        watch.late?.(outcome);
        return;
      }
      if (phase === 'over') return;
      end();
      if (outcome.ok) resolve(outcome.value);
      else reject(wrap(what, outcome.error));
    };
    let running: Promise<T>;
    try {
      running = work();
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (value) => settled({ ok: true, value }),
      (error: unknown) => settled({ ok: false, error }),
    );
  });
}

function wrap(what: string, error: unknown): CacheSweeperError {
  if (error instanceof CacheSweeperError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new CacheSweeperError('redis', `${what} failed: ${reason}`, { cause: error });
}
