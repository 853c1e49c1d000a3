import { CacheSweeperError } from './errors';

/** The `code` of the error a missed deadline rejects with. */
export const DEADLINE_CODE = 'CACHESWEEPER_DEADLINE';

/**
 * Settles with `work`, or rejects with a timeout error after `timeoutMs`, whichever
 * comes first; settles exactly once. The timer is unref'd: a pending deadline never
 * keeps the process alive. When the timer fires, the verdict waits one more pass of
 * the event loop's poll phase: on a busy process the answer may already sit in the
 * socket, and our own pause must not be blamed on the backend.
 */
export function withDeadline<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        const late = new CacheSweeperError('sweeper', `${what} missed its ${timeoutMs} ms deadline`);
        reject(Object.assign(late, { code: DEADLINE_CODE }));
      });
    }, timeoutMs);
    timer.unref?.();
    work.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
