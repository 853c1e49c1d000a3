import type { ConversationRunner } from '../conversations/conversation-runner';
import { withDeadline } from '../deadline';
import type { Reporter } from '../reporting/reporter';

/**
 * Gives a fleet-wide lease back in the background, so the next reader of the key wins
 * it at once instead of waiting for its TTL (a render that failed, or a rendering that
 * cannot be stored). A release that fails is reported; the lease then ends with its TTL.
 */
export function releaseLease(
  runner: ConversationRunner,
  reporter: Reporter,
  key: string,
  stamp: string,
  timeoutMs: number,
): void {
  const leases = runner.backend.leases;
  if (leases === undefined) return;
  const what = `${runner.backend.name} release of the lease on "${key}"`;
  let releasing: Promise<boolean>;
  try {
    releasing = leases.release(key, stamp);
  } catch (error) {
    releasing = Promise.reject(error);
  }
  withDeadline(releasing, timeoutMs, what).catch((error: unknown) => reporter.reportRound(what, error));
}
