import { readLeased } from '../conversations/backend-rounds';
import type { ConversationContext } from '../conversations/conversation-context';
import type { ConversationRunner } from '../conversations/conversation-runner';
import type { PageState } from '../page/page-state';
import type { StoredFragment } from '../types';
import type { LeaseSettings } from './lease-settings';

/** How a wait for another process's rendering ended. */
export type LeasePollOutcome =
  /** The holder's rendering arrived (check its nested counters before serving it). */
  | { readonly kind: 'arrived'; readonly stored: StoredFragment }
  /** The lease was given back or expired, and this page took it: it renders now. */
  | { readonly kind: 'won'; readonly stamp: string }
  /** `waitMs` passed with the lease still held: the holder is slow or died. */
  | { readonly kind: 'timeout' }
  /** A read failed or missed its deadline, or the sweeper closed. */
  | { readonly kind: 'failed' }
  /** The wait was called off (a page of this process renders it after all). */
  | { readonly kind: 'cancelled' };

/** What a poll needs: the backend round runner, decoding, the page, the lease settings and the round deadline. */
export interface LeasePollContext {
  readonly runner: ConversationRunner;
  readonly context: ConversationContext;
  readonly page: PageState;
  readonly settings: LeaseSettings;
  /** The sweeper's round deadline, in ms. */
  readonly timeoutMs: number;
  /** True once the sweeper was closed. */
  readonly closed: () => boolean;
}

/**
 * Waits for the rendering of `key` that another process holds the lease on: reads the
 * key every `pollMs`, for at most `waitMs` in all (the last read, made at the end of
 * the wait, runs past it by at most its own deadline). Each read also takes the lease if it is
 * free again (the holder gave it back, or it expired), so a holder that failed or
 * died hands the fragment to exactly one waiter.
 */
export async function pollLease(
  key: string,
  poll: LeasePollContext,
  cancelled: () => boolean,
): Promise<LeasePollOutcome> {
  const { runner, context, page, settings } = poll;
  const endsAt = performance.now() + settings.waitMs;
  for (;;) {
    await sleep(Math.max(0, Math.min(settings.pollMs, endsAt - performance.now())));
    if (cancelled()) return { kind: 'cancelled' };
    if (poll.closed()) return { kind: 'failed' };
    // The last read is made even when this process woke up late (a busy event loop).
    const deadline = Math.min(poll.timeoutMs, Math.max(settings.pollMs, endsAt - performance.now()));
    const outcome = await runner.run(
      readLeased('wait for a leased fragment', [{ key, lease: 'if-missing' }], settings.ttlSeconds),
      page.sinks,
      page.sinks,
      page.trace,
      deadline,
    );
    if (cancelled()) return { kind: 'cancelled' };
    if (!outcome.ok) return { kind: 'failed' };
    const answer = outcome.value[0];
    if (answer?.kind === 'won') return { kind: 'won', stamp: answer.stamp };
    if (answer?.kind === 'value') {
      const stored = context.decode(key, answer.value);
      if (stored !== undefined) return { kind: 'arrived', stored };
    }
    if (performance.now() >= endsAt) return { kind: 'timeout' };
  }
}

// Not unref'd: a page is waiting on it, and a pause of at most `pollMs`.
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
