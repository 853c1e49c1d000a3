import type { Lease, Timing } from './call-contract';
import { callWithDeadline } from './call-with-deadline';
import { flushCall, replayCall, versionCall } from './commands';
import type { RejoinPacing } from './rejoin-pacing';
import type { ReplayJournal } from './replay-journal';

/** What a repair needs: deadlines, the writes to replay, and the flush pacing of the server. */
export interface RepairSettings {
  /** Deadlines of the probe (`version`) and of `flush_all`. */
  readonly probe: Timing;
  /** Deadlines of each replayed counter write. */
  readonly replay: Timing;
  /** The server's remembered counter writes. */
  readonly journal: ReplayJournal;
  /** When the server may be flushed again. */
  readonly pacing: RejoinPacing;
}

/** What was done to bring the server back. */
export interface RepairDone {
  /** Whether it was flushed (a write was lost that could not be replayed). */
  readonly flushed: boolean;
  /** Counter writes sent again. */
  readonly replayed: number;
}

/** How a repair ended: done (the server is live again), or waiting for its next allowed flush. */
export type RepairOutcome = RepairDone | { readonly flushAllowedInMs: number };

// Replays go out in bursts of this many, one burst after the other: a burst of
// thousands through the npm client would miss its deadlines in its tail.
const REPLAY_BURST = 100;
// Writes refused while a round was replayed are replayed in the next round; a
// server that keeps getting them faster than it takes them is probed again later.
const MAX_ROUNDS = 10;

/**
 * Brings a server that answered nothing (or nonsense) for a while back into use:
 * proves it alive (`version`), then either sends again every counter write whose
 * outcome is unknown, or — when one may have been lost that cannot be replayed —
 * flushes it, if this process may flush it now. Calls `goLive` in the same turn as
 * it finds nothing left to do, so no write can slip in unreplayed. Rejects when the
 * server fails a call; what was not replayed stays in the journal.
 */
export async function repairServer(
  lease: Lease,
  settings: RepairSettings,
  goLive: (done: RepairDone) => void,
): Promise<RepairOutcome> {
  const { journal, pacing } = settings;
  await callWithDeadline(lease, versionCall(settings.probe));
  let flushed = false;
  let replayed = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (journal.needsFlush) {
      // A flush the application asked for is its own business; a repair flush is paced.
      const wait = journal.flushRequested ? 0 : pacing.flushAllowedInMs(Date.now());
      if (wait > 0) return { flushAllowedInMs: wait };
      await callWithDeadline(lease, flushCall(settings.probe));
      pacing.flushed(Date.now());
      journal.flushed();
      flushed = true;
    }
    const pending = journal.pending();
    if (pending.length === 0 && !journal.needsFlush) {
      const done = { flushed, replayed };
      goLive(done);
      return done;
    }
    for (let start = 0; start < pending.length; start += REPLAY_BURST) {
      const burst = pending.slice(start, start + REPLAY_BURST);
      const answers = await Promise.allSettled(
        burst.map((replay) => callWithDeadline(lease, replayCall(replay, settings.replay))),
      );
      answers.forEach((answer, index) => {
        if (answer.status === 'fulfilled') journal.settled(burst[index]!);
      });
      replayed += answers.filter((answer) => answer.status === 'fulfilled').length;
      const failed = answers.find((answer) => answer.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    }
  }
  throw new Error(`counter writes kept coming in ${MAX_ROUNDS} rounds of replay`);
}
