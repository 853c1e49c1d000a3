import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, startFleet } from './support/fleet/fleet';
import { castLike, type ReadLoop, readContinuously, warm } from './support/fleet/page-traffic';
import { commentsLivingOn } from './support/fleet/placement';
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

// Issue 13: P1's link to server b drops, P1 votes on a comment whose counter lives on b
// (its bump fails), and P1 is SIGKILLed at once, then restarted with the link healed, as a
// deploy would. The vote must show everywhere within 1 s: in the processes that lived on,
// 1 s after its commit; in P1's successor, 1 s after it serves.
const PROCESSES = 3;
const SERVER = 1; // b
const OBSERVE_MS = scaled(4_000, 40_000);
const BOUND_MS = 1_000;
const PAGE = '/articles/1';

/** What the run saw. */
interface KilledWriterRun {
  readonly comment: number;
  readonly vote: CastVote;
  /** The same vote, seen from P1's successor: "committed" when it began to serve. */
  readonly sinceRestart: CastVote;
  readonly restartMs: number;
  readonly reads: readonly PageRead[];
}

async function killWriterAfterFailedBump(fleet: Fleet): Promise<KilledWriterRun> {
  await fleet.allUp();
  await warm(fleet.processes, [PAGE]);
  const [comment] = await commentsLivingOn(fleet, SERVER, 1);
  if (comment === undefined) throw new Error('no comment of article 1 has its counter on server b alone');
  const [writer, ...survivors] = fleet.processes;
  const loops: ReadLoop[] = survivors.map((reader) => readContinuously(reader, PAGE, [comment]));
  await sleep(300);
  const link = fleet.link(0, SERVER);
  link.setMode('drop');
  let vote: CastVote;
  try {
    vote = await castLike(writer!, fleet.reference, comment);
    await writer!.kill();
  } finally {
    link.setMode('pass');
  }
  const restartedAt = performance.now();
  await writer!.restart();
  const servingAt = performance.now();
  loops.push(readContinuously(writer!, PAGE, [comment]));
  await sleep(OBSERVE_MS);
  const reads = (await Promise.all(loops.map((loop) => loop.stop()))).flat();
  return {
    comment,
    vote,
    sinceRestart: { ...vote, committedAt: servingAt },
    restartMs: servingAt - restartedAt,
    reads,
  };
}

describe('a writer killed right after a failed bump, and restarted', () => {
  let fleet: Fleet;
  let run: KilledWriterRun;
  let survivors: string[];

  beforeAll(async () => {
    fleet = await startFleet({ processes: PROCESSES, servers: 2, proxied: [[0, SERVER]] });
    survivors = fleet.processes.slice(1).map((process) => process.name);
    run = await killWriterAfterFailedBump(fleet);
    const successorReads = run.reads.filter((read) => read.reader === 'P1');
    const survivorReads = run.reads.filter((read) => read.reader !== 'P1');
    printFigures(
      'fleet killed writer',
      `${PROCESSES} processes, 2 servers; P1's link to b dropped, P1 liked comment ${run.comment} (counter on b), ` +
        `was SIGKILLed at once and restarted with the link healed (serving after ${Math.round(run.restartMs)} ms); ` +
        `the vote visible in ${survivors.join(', ')} after ${describeLatencies(latenciesOf([run.vote], run.reads, survivors))} ` +
        `from its commit, ${staleReads([run.vote], survivorReads, BOUND_MS).length} of ${survivorReads.length} reads stale ` +
        `past ${BOUND_MS} ms; in P1's successor after ${describeLatencies(latenciesOf([run.sinceRestart], run.reads, ['P1']))} ` +
        `from serving, ${staleReads([run.sinceRestart], successorReads, BOUND_MS).length} of ${successorReads.length} ` +
        `reads stale; observed ${OBSERVE_MS / 1000} s after the restart`,
    );
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('answers every read in the processes that lived on, and in the successor', () => {
    expect(run.reads.filter((read) => read.status !== 200)).toEqual([]);
  });

  it('shows the vote in the processes that lived on within 1 s of its commit', () => {
    expect(percentile(latenciesOf([run.vote], run.reads, survivors), 100)).toBeLessThanOrEqual(BOUND_MS);
  });

  it("shows the vote in P1's successor within 1 s of its start", () => {
    expect(percentile(latenciesOf([run.sinceRestart], run.reads, ['P1']), 100)).toBeLessThanOrEqual(BOUND_MS);
  });

  it('serves no stale read past the bound anywhere', () => {
    const survivorReads = run.reads.filter((read) => read.reader !== 'P1');
    const successorReads = run.reads.filter((read) => read.reader === 'P1');
    expect(
      staleReads([run.vote], survivorReads, BOUND_MS).length +
        staleReads([run.sinceRestart], successorReads, BOUND_MS).length,
    ).toBe(0);
  });

  it('records the kill as the only exit of a blog process', () => {
    expect(fleet.crashes()).toEqual([]);
    expect(fleet.processes[0]!.exits.map((exit) => exit.signal)).toEqual(['SIGKILL']);
  });
});
