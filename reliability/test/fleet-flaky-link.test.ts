import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, startFleet } from './support/fleet/fleet';
import { type FlapSchedule, flapLink } from './support/fleet/link-faults';
import { serveTraffic, type TrafficFigures, warm } from './support/fleet/page-traffic';
import {
  addCounters,
  answeredHitRatio,
  blockHitRatio,
  countersOf,
  countersSince,
  type FleetCounters,
} from './support/fleet/process-stats';
import type { PageCheckFigures } from './support/page-check';
import { printFigures, scaled } from './support/scale';

// Issue 13: eight processes serve pages while one process's link to server b turns bad for
// 1.5 s in every 4 s. A lossless stall (every byte delivered late) loses no write: it must
// never flush the shared server, and the fleet must keep its hits. A link that resets
// mid-reply may lose writes: it may flush b, but at most once per 30 s.
// While P1 cannot read b, it reads the copies on a of the counters that live on b (memcached's
// key copies), and serves the fragments whose bytes live on b from its own copies of them; only
// what it never held renders (reading b would wait on the stalled link; serving unchecked could
// serve a stale page). The flaky link must not cost the other processes their hits, nor the
// fleet its hit ratio (issue 13: 90 %).
// Eight at full scale, as issue 13 measured; four in the bounded run, to start in CI's time.
const PROCESSES = scaled(4, 8);
const SERVER = 1; // b
const BASELINE_MS = scaled(4_000, 15_000);
const FLAKY_MS = scaled(8_000, 60_000);
const FAULT_MS = 1_500;
const PERIOD_MS = 4_000;
const VOTE_EVERY_MS = 2_000;
const PAUSE_BETWEEN_READS_MS = 25;
const PATHS = ['/', '/articles/1', '/articles/2', '/articles/3', '/articles/4', '/articles/5', '/articles/6'];
/** The most flushes of b a resetting link may cause: one per 30 s begun. */
const RESET_FLUSHES_ALLOWED = Math.max(1, Math.ceil(FLAKY_MS / 30_000));

/** The link's schedule: `mode` for 1.5 s in every 4 s, for the whole phase. */
function flaky(mode: FlapSchedule['mode']): FlapSchedule {
  return { mode, faultMs: FAULT_MS, periodMs: PERIOD_MS, durationMs: FLAKY_MS };
}

/** What one phase of traffic did to the fleet. */
interface Phase {
  readonly traffic: TrafficFigures;
  readonly counters: FleetCounters;
  /** `flush_all` received by each server during the phase. */
  readonly flushes: readonly number[];
  /** Times P1 saw b go down. */
  readonly downs: number;
  readonly spells: number;
  /** Each process's block hit ratio, P1 (the one with the faulty link) first. */
  readonly perProcess: readonly number[];
}

async function phase(
  fleet: Fleet,
  comments: readonly number[],
  durationMs: number,
  fault?: FlapSchedule,
): Promise<Phase> {
  const flushCounts = () =>
    Promise.all(fleet.servers.map(async (_, index) => Number((await fleet.serverStats(index)).cmd_flush)));
  const downsOfB = async () => (await fleet.processes[0]!.stats()).servers?.[SERVER]?.failures ?? 0;
  const [before, flushesBefore, downsBefore] = [await fleet.stats(), await flushCounts(), await downsOfB()];
  const [traffic, spells] = await Promise.all([
    serveTraffic(fleet.processes, fleet.reference, {
      paths: PATHS,
      comments,
      voteEveryMs: VOTE_EVERY_MS,
      durationMs,
      pauseMs: PAUSE_BETWEEN_READS_MS,
    }),
    fault ? flapLink(fleet.link(0, SERVER), fault) : Promise.resolve(0),
  ]);
  const after = await fleet.stats();
  const each = after.map((stats, index) => countersSince(countersOf(before[index]!), countersOf(stats)));
  const counters = addCounters(each);
  const flushes = (await flushCounts()).map((count, index) => count - flushesBefore[index]!);
  const perProcess = each.map(blockHitRatio);
  return { traffic, counters, flushes, downs: (await downsOfB()) - downsBefore, spells, perProcess };
}

function describePhase(name: string, phase: Phase): string {
  const { counters, traffic } = phase;
  return (
    `${name}: ${traffic.reads} pages, ${traffic.votes} votes, ${traffic.failedReads.length} failed; block hit ratio ` +
    `${(blockHitRatio(counters) * 100).toFixed(1)} % (${counters.hits} hits, ${counters.misses} misses, ` +
    `${counters.uncached} uncached; ${(answeredHitRatio(counters) * 100).toFixed(1)} % of the lookups the cache answered; ` +
    `per process ${phase.perProcess.map((ratio) => `${(ratio * 100).toFixed(0)} %`).join(' / ')}), ${counters.renders} renders, ${counters.loader} loader queries; ` +
    `flush_all: ${phase.flushes.map((count, index) => `${'ab'[index]} ${count}`).join(', ')}; b down in P1 ${phase.downs} times` +
    (phase.spells > 0 ? ` over ${phase.spells} faulty spells` : '')
  );
}

describe(`${PROCESSES} processes, one link to server b flaky`, () => {
  let fleet: Fleet;
  let baseline: Phase;
  let holding: Phase;
  let resetting: Phase;
  let quiescent: PageCheckFigures;

  beforeAll(async () => {
    fleet = await startFleet({ processes: PROCESSES, servers: 2, proxied: [[0, SERVER]] });
    const comments = (await fleet.reference.blog.models.Comment.findAll({ attributes: ['id'], raw: true })).map(
      (comment) => comment.id,
    );
    await warm(fleet.processes, PATHS);
    baseline = await phase(fleet, comments, BASELINE_MS);
    holding = await phase(fleet, comments, FLAKY_MS, flaky('hold'));
    await fleet.allUp();
    resetting = await phase(fleet, comments, FLAKY_MS, flaky('reset'));
    await fleet.allUp();
    quiescent = await fleet.checkPages(PATHS);
    printFigures(
      'fleet flaky link',
      `${PROCESSES} processes, 2 servers, P1's link to b faulty ${FAULT_MS / 1000} s in every ${PERIOD_MS / 1000} s; ` +
        `${describePhase(`healthy (${BASELINE_MS / 1000} s)`, baseline)}; ` +
        `${describePhase(`holding bytes (${FLAKY_MS / 1000} s)`, holding)}; ` +
        `${describePhase(`resetting mid-reply (${FLAKY_MS / 1000} s)`, resetting)}; ` +
        `at rest: ${quiescent.checked} pages checked, ${quiescent.stale.length} stale`,
    );
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('keeps a healthy fleet at a block hit ratio of 90 % or more (the baseline)', () => {
    expect(blockHitRatio(baseline.counters)).toBeGreaterThanOrEqual(0.9);
  });

  it('never flushes the shared server for a link that only held bytes', () => {
    expect(holding.flushes[SERVER]).toBe(0);
  });

  it('keeps every process with a healthy link at a block hit ratio of 90 % or more while the link holds bytes', () => {
    expect(Math.min(...holding.perProcess.slice(1))).toBeGreaterThanOrEqual(0.9);
  });

  it('keeps the fleet at a block hit ratio of 90 % or more while the link holds bytes (uncached blocks counted)', () => {
    expect(blockHitRatio(holding.counters)).toBeGreaterThanOrEqual(0.9);
  });

  it('keeps the fleet at 90 % hits or more among the lookups the cache answered while the link holds bytes', () => {
    expect(answeredHitRatio(holding.counters)).toBeGreaterThanOrEqual(0.9);
  });

  it(`flushes the shared server at most once per 30 s begun for a link that resets mid-reply (≤ ${RESET_FLUSHES_ALLOWED})`, () => {
    expect(resetting.flushes[SERVER]).toBeLessThanOrEqual(RESET_FLUSHES_ALLOWED);
  });

  it('answers every page in every phase', () => {
    expect([...baseline.traffic.failedReads, ...holding.traffic.failedReads, ...resetting.traffic.failedReads]).toEqual(
      [],
    );
  });

  it('serves no stale page in any process once the link is healthy again', () => {
    expect(quiescent.failed).toBe(0);
    expect(quiescent.stale).toEqual([]);
    expect(fleet.crashes()).toEqual([]);
  });
});
