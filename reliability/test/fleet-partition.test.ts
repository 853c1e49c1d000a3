import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, startFleet } from './support/fleet/fleet';
import { castLike, every, readContinuously, warm } from './support/fleet/page-traffic';
import { commentsLivingOn } from './support/fleet/placement';
import { countersOf } from './support/fleet/process-stats';
import {
  type CastVote,
  describeLatencies,
  latenciesOf,
  type PageRead,
  percentile,
  staleReads,
} from './support/fleet/visibility';
import { printFigures, scaled } from './support/scale';
import { sleep } from './support/timing';

// Issue 13: P1 cannot reach server b, P2 and P3 can. P1 votes every second on comments
// whose counters live on b; P2 and P3 read the article page back to back. Every vote must
// show in every other process within a second of its commit, during the cut and after it.
const PROCESSES = 3;
const SERVER = 1; // b
const PARTITION_MS = scaled(5_000, 30_000);
const HEALED_MS = scaled(3_000, 15_000);
const BOUND_MS = 1_000;
const PAGE = '/articles/1';
const MODES = ['drop', 'hold'] as const;

/** What one partition run saw. */
interface PartitionRun {
  readonly comments: readonly number[];
  readonly during: readonly CastVote[];
  readonly after: readonly CastVote[];
  readonly reads: readonly PageRead[];
  readonly healedAt: number;
  readonly flushes: number;
  readonly writerErrors: number;
}

async function partition(fleet: Fleet, mode: (typeof MODES)[number]): Promise<PartitionRun> {
  await fleet.allUp();
  await warm(fleet.processes, [PAGE]);
  const comments = (await commentsLivingOn(fleet, SERVER, 1)).slice(0, 4);
  if (comments.length === 0) throw new Error('no comment of article 1 has its counter on server b alone');
  const [writer, ...readers] = fleet.processes;
  const flushesBefore = Number((await fleet.serverStats(SERVER)).cmd_flush);
  const errorsBefore = countersOf(await writer!.stats()).errors;
  const loops = readers.map((reader) => readContinuously(reader, PAGE, comments));
  await sleep(300);
  const link = fleet.link(0, SERVER);
  const during: CastVote[] = [];
  const after: CastVote[] = [];
  let healedAt = Number.NaN;
  try {
    link.setMode(mode);
    await every(1_000, PARTITION_MS, async (tick) => {
      during.push(await castLike(writer!, fleet.reference, comments[tick % comments.length]!));
    });
  } finally {
    link.setMode('pass');
    healedAt = performance.now();
  }
  await every(1_000, HEALED_MS, async (tick) => {
    after.push(await castLike(writer!, fleet.reference, comments[tick % comments.length]!));
  });
  await sleep(BOUND_MS + 500); // the last vote's bound passes while the readers still read
  const reads = (await Promise.all(loops.map((loop) => loop.stop()))).flat();
  return {
    comments,
    during,
    after,
    reads,
    healedAt,
    flushes: Number((await fleet.serverStats(SERVER)).cmd_flush) - flushesBefore,
    writerErrors: countersOf(await writer!.stats()).errors - errorsBefore,
  };
}

function readersOf(fleet: Fleet): string[] {
  return fleet.processes.slice(1).map((process) => process.name);
}

describe('a one-sided partition: P1 cut from server b, the other processes not', () => {
  let fleet: Fleet;
  const runs = new Map<(typeof MODES)[number], PartitionRun>();

  beforeAll(async () => {
    fleet = await startFleet({ processes: PROCESSES, servers: 2, proxied: [[0, SERVER]] });
    for (const mode of MODES) {
      const run = await partition(fleet, mode);
      runs.set(mode, run);
      const readers = readersOf(fleet);
      const duringReads = run.reads.filter((read) => read.startedAt < run.healedAt);
      const afterReads = run.reads.filter((read) => read.startedAt >= run.healedAt);
      const allVotes = [...run.during, ...run.after];
      printFigures(
        `fleet partition (${mode})`,
        `${PROCESSES} processes, 2 servers, P1's link to b ${mode === 'drop' ? 'dropped' : 'holding every byte'} for ` +
          `${PARTITION_MS / 1000} s, P1 voting every second on comments ${run.comments.join(', ')} (counters on b); ` +
          `during: ${run.during.length} votes, visible in ${readers.join(', ')} after ` +
          `${describeLatencies(latenciesOf(run.during, run.reads, readers))}, ` +
          `${staleReads(allVotes, duringReads, BOUND_MS).length} of ${duringReads.length} reads stale past ${BOUND_MS} ms; ` +
          `after healing (${HEALED_MS / 1000} s): ${run.after.length} votes, ` +
          `${describeLatencies(latenciesOf(run.after, run.reads, readers))}, ` +
          `${staleReads(allVotes, afterReads, BOUND_MS).length} of ${afterReads.length} reads stale; ` +
          `${run.reads.filter((read) => read.status !== 200).length} failed reads; b flushed ${run.flushes} times; ` +
          `${run.writerErrors} cache errors in P1`,
      );
    }
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  describe.each(MODES)('with the link in %s mode', (mode) => {
    const run = () => runs.get(mode)!;

    it('answers every read in the other processes', () => {
      expect(run().reads.filter((read) => read.status !== 200)).toEqual([]);
    });

    it('shows every vote cast during the partition in every other process within 1 s of its commit', () => {
      expect(percentile(latenciesOf(run().during, run().reads, readersOf(fleet)), 100)).toBeLessThanOrEqual(BOUND_MS);
    });

    it('shows every vote cast after the link healed in every other process within 1 s of its commit', () => {
      expect(percentile(latenciesOf(run().after, run().reads, readersOf(fleet)), 100)).toBeLessThanOrEqual(BOUND_MS);
    });

    it('serves no stale read past the 1 s bound, during the partition or after it', () => {
      expect(staleReads([...run().during, ...run().after], run().reads, BOUND_MS).length).toBe(0);
    });
  });

  it('leaves every blog process running', () => {
    expect(fleet.crashes()).toEqual([]);
  });
});
