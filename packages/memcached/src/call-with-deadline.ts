import { armDeadline, CacheSweeperError } from '@cachesweeper/core';
import type { Answer, Call, Lease } from './call-contract';

const UNKNOWN_OUTCOME =
  ': it may still land; if the server is dropped before it answers, the write is sent again when the server returns';

/**
 * Sends one call and settles exactly once: with the answer, with a rejection when
 * the deadline passes first, or when the lease aborts it (server down, backend
 * closed). The client may call back late, twice or never; none of that can settle
 * the promise again or throw into the client. A late answer still tells the server
 * slot whether the server is alive; no answer within the grace period is a fault.
 */
export function callWithDeadline<T>(lease: Lease, call: Call<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const token = {};
    let phase: 'waiting' | 'late' | 'over' = 'waiting';
    let grace: NodeJS.Timeout | undefined;
    const failure = (message: string) =>
      new CacheSweeperError('memcached', `${call.what} on ${lease.server} ${message}`);

    const untrack = lease.track((reason) => {
      const wasWaiting = phase === 'waiting';
      end();
      if (wasWaiting) reject(failure(`was cut short: ${reason}`));
    }, call.replay);
    const end = () => {
      phase = 'over';
      cancelDeadline();
      clearTimeout(grace);
      untrack();
    };
    // Time this process spends stalled (a busy event loop) is not blamed on the server.
    const cancelDeadline = armDeadline(call.timeoutMs, () => expire());
    const expire = () => {
      if (phase !== 'waiting') return;
      phase = 'late';
      lease.missedDeadline(token, call.replay);
      grace = setTimeout(() => {
        if (phase !== 'late') return;
        end();
        lease.unanswered(
          `${call.what} got no answer ${call.timeoutMs + call.graceMs} ms after it was sent`,
          call.replay,
        );
      }, call.graceMs);
      grace.unref();
      reject(failure(`missed its ${call.timeoutMs} ms deadline${call.replay ? UNKNOWN_OUTCOME : ''}`));
    };

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
        if (answer.fault) lease.failed(answer.reason, call.replay);
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
