import { performance } from 'node:perf_hooks';

/** How many times its length a deadline may stretch while this process is too busy to read answers. */
export const STALL_STRETCH = 3;

/**
 * Calls `onExpire` once this process's event loop has sat idle for `timeoutMs` since
 * the deadline was armed, and returns a function that cancels it. Idle means blocked
 * waiting for I/O: an answer that arrives wakes the loop at once, so idle time only
 * adds up while no answer has arrived, and `timeoutMs` of it is the server's fault. A
 * busy loop is not: with 4 blog processes × 50 concurrent requests on 2 cores, small
 * answers sat for 100–390 ms in sockets behind other requests' work while memcached
 * itself answered within 30 ms. Wall-clock deadlines called those answers late, and
 * each page that got that verdict rendered uncached. The stretch is bounded: the
 * deadline fires at the latest `STALL_STRETCH × timeoutMs` after it was armed, so a
 * dead server costs a page a bounded wait however busy the process. Timers are unref'd.
 */
export function armDeadline(timeoutMs: number, onExpire: () => void): () => void {
  const armedAt = performance.now();
  const idleAtArm = performance.eventLoopUtilization().idle;
  const latest = armedAt + timeoutMs * STALL_STRETCH;
  let timer: NodeJS.Timeout | undefined;
  let verdict: NodeJS.Immediate | undefined;
  const wait = (ms: number) => {
    timer = setTimeout(() => {
      // The verdict waits for one poll phase: answers that arrived while the timer was
      // due are read there first. (Not unref'd: an unref'd immediate lets the poll phase
      // block until the next timer.)
      verdict = setImmediate(() => {
        const now = performance.now();
        const owed = timeoutMs - (performance.eventLoopUtilization().idle - idleAtArm);
        if (owed <= 0 || now >= latest) onExpire();
        else wait(Math.max(1, Math.min(owed, latest - now)));
      });
    }, ms);
    timer.unref();
  };
  wait(timeoutMs);
  return () => {
    clearTimeout(timer);
    clearImmediate(verdict);
  };
}
