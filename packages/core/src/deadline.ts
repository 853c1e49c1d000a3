import { CacheSweeperError } from './errors';
import { armDeadline } from './own-stall-deadline';

/** The `code` of the error a missed deadline rejects with. */
export const DEADLINE_CODE = 'CACHESWEEPER_DEADLINE';

/**
 * Settles with `work`, or rejects with a timeout error after `timeoutMs`, whichever
 * comes first; settles exactly once. Time this process spends stalled does not count
 * (see `armDeadline`), up to `STALL_STRETCH` times `timeoutMs`. The timer is unref'd:
 * a pending deadline never keeps the process alive.
 */
export function withDeadline<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const cancel = armDeadline(timeoutMs, () => {
      if (settled) return;
      settled = true;
      const late = new CacheSweeperError('sweeper', `${what} missed its ${timeoutMs} ms deadline`);
      reject(Object.assign(late, { code: DEADLINE_CODE }));
    });
    work.then(
      (value) => {
        if (settled) return;
        settled = true;
        cancel();
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        cancel();
        reject(error);
      },
    );
  });
}
