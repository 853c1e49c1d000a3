import type { FaultMode, FaultProxy } from '@cachesweeper/test-support';
import { sleep } from '../timing';

/** A link that turns faulty for `faultMs` in every `periodMs`, for `durationMs`. */
export interface FlapSchedule {
  readonly mode: FaultMode;
  readonly faultMs: number;
  readonly periodMs: number;
  readonly durationMs: number;
}

/**
 * Switches `link` to the schedule's mode for `faultMs` at the start of every period, and
 * back to `pass` for the rest, until `durationMs` passed; the link passes again at the
 * end, whatever happened. Resolves with the number of faulty spells.
 */
export async function flapLink(link: FaultProxy, schedule: FlapSchedule): Promise<number> {
  const startedAt = performance.now();
  let spells = 0;
  try {
    while (performance.now() - startedAt + schedule.faultMs <= schedule.durationMs) {
      const periodStart = startedAt + spells * schedule.periodMs;
      link.setMode(schedule.mode);
      spells += 1;
      await sleep(schedule.faultMs);
      link.setMode('pass');
      await sleep(Math.max(0, periodStart + schedule.periodMs - performance.now()));
    }
  } finally {
    link.setMode('pass');
  }
  return spells;
}
