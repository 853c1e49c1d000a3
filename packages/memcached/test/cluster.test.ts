import { type CacheBackend, createSweeper, versionKey } from '@cachesweeper/core';
import {
  type FaultProxy,
  type MemcachedProcess,
  memcachedStats,
  startFaultProxy,
  startMemcached,
} from '@cachesweeper/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MemcachedBackend, memcachedBackend } from '../src';
import { createRouter } from '../src/router';
import { naiveBackend } from './fixtures/naive-backend';
import { flushesSeen, SLACK_MS, sleep, waitForState, watchProcess } from './helpers';
import { type PhaseReport, RenderStream, timedBackend } from './render-stream';

const TIMEOUT_MS = 100; // the backend's default deadline
const WRITE_TIMEOUT_MS = 1000; // the default deadline of counter writes
const PHASES = ['warm', 'failed', 'healing', 'rejoined'] as const;

/** How one server fails and comes back. */
interface Fault {
  fail(): Promise<void>;
  heal(): Promise<void>;
}

interface Outcome {
  readonly reports: Record<(typeof PHASES)[number], PhaseReport>;
  readonly slowestCallMs: number;
  readonly slowestCounterWriteMs: number;
}

/**
 * Renders and invalidates rows without pause: 600 ms warm, then one server fails for
 * a second, then it heals; once `rejoined()` resolves, one more second of traffic.
 */
async function stream(backend: CacheBackend, fault: Fault, rejoined: () => Promise<void>): Promise<Outcome> {
  const timed = timedBackend(backend);
  const sweeper = createSweeper({ backend: timed.backend });
  const renders = new RenderStream(sweeper, {
    rows: 24,
    renderers: 6,
    writeEveryMs: 5,
    versionKeyOf: (row) => versionKey(sweeper.namespace, 'Row', row),
  });
  renders.phase = 'warm';
  renders.start();
  await sleep(600);
  renders.phase = 'failed';
  await fault.fail();
  await sleep(1000);
  renders.phase = 'healing';
  await fault.heal();
  await rejoined();
  renders.phase = 'rejoined';
  await sleep(1000);
  await renders.stop();
  await sweeper.close();
  const reports = Object.fromEntries(PHASES.map((phase) => [phase, renders.report(phase)])) as Outcome['reports'];
  return { reports, slowestCallMs: timed.slowest(), slowestCounterWriteMs: timed.slowestCounterWrite() };
}

describe('three servers, one of which fails and comes back, under a stream of renders and invalidations', () => {
  let servers: MemcachedProcess[];
  let proxies: FaultProxy[];
  let addresses: string[];
  let watch: ReturnType<typeof watchProcess>;

  beforeEach(async () => {
    watch = watchProcess();
    servers = await Promise.all([startMemcached(), startMemcached(), startMemcached()]);
    proxies = await Promise.all(servers.map((server) => startFaultProxy(server.address)));
    addresses = proxies.map((proxy) => proxy.address);
  });
  afterEach(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await Promise.all(servers.map(async (server) => (server.running ? server.stop() : undefined)));
    watch.stop();
    expect(watch.problems).toEqual([]);
  });

  /**
   * The hardened backend through the same scenario; the assertions every scenario
   * shares. The invalidations the failed server missed are sent again when it returns:
   * it is never flushed.
   */
  async function expectNoHarm(faultOf: (backend: MemcachedBackend) => Fault): Promise<Outcome> {
    const backend = memcachedBackend({ servers: addresses, retryMs: 250 });
    const fault = faultOf(backend);
    const rejoined = async () => {
      await waitForState(backend, addresses[1]!, 'up', 10_000);
      expect(backend.servers()[1]).toMatchObject({ flushes: 0, pendingReplays: 0, needsFlush: false });
      expect(backend.servers()[1]?.rejoins).toBeGreaterThanOrEqual(1);
    };
    const outcome = await stream(backend, fault, rejoined);
    for (const phase of PHASES) {
      const report = outcome.reports[phase];
      expect(report.failedRenders, phase).toBe(0);
      expect(report.stale, phase).toEqual([]);
      // Up to four rounds (tokens, token creation, re-read, fragments), each within the deadline.
      expect(report.slowestRenderMs, phase).toBeLessThan(4 * TIMEOUT_MS + SLACK_MS);
      // A bump runs after its commit, off the page's path: it may wait for a late answer up to the write deadline.
      expect(report.slowestInvalidationMs, phase).toBeLessThan(WRITE_TIMEOUT_MS + SLACK_MS);
    }
    expect(outcome.slowestCallMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(outcome.slowestCounterWriteMs).toBeLessThan(WRITE_TIMEOUT_MS + SLACK_MS);
    expect(await flushesSeen(servers[1]!.address)).toBe(0);
    // The scenario has teeth: rows kept on the failed server were invalidated while it was out.
    const route = createRouter(addresses);
    const missed = outcome.reports.failed.invalidatedKeys.filter((key) => route(key) === addresses[1]);
    expect(missed.length).toBeGreaterThan(0);
    expect(outcome.reports.rejoined.hits).toBeGreaterThan(0);
    return outcome;
  }

  it('serves no failed and no stale render when a server is killed and restarted', { timeout: 30_000 }, async () => {
    await expectNoHarm(() => ({ fail: () => servers[1]!.stop(), heal: () => servers[1]!.restart() }));
    const stats = await memcachedStats(servers[1]!.address);
    expect(Number(stats.get_hits)).toBeGreaterThan(0); // the restarted server serves again
  });

  it('serves no stale render when a server that kept its data is cut off and reconnected', {
    timeout: 30_000,
  }, async () => {
    await expectNoHarm(() => ({
      fail: async () => proxies[1]!.setMode('drop'),
      heal: async () => proxies[1]!.setMode('pass'),
    }));
  });

  it('serves no stale render when a server freezes past the grace period and thaws with its old data', {
    timeout: 30_000,
  }, async () => {
    const outcome = await expectNoHarm((backend) => ({
      fail: () => servers[1]!.freeze(),
      heal: async () => {
        await waitForState(backend, addresses[1]!, 'down'); // after the 1 s grace period
        await servers[1]!.thaw();
      },
    }));
    expect(outcome.reports.healing.renders).toBeGreaterThan(0);
  });

  it('control: a backend that neither replays missed invalidations nor flushes a returning server serves stale renders', {
    timeout: 30_000,
  }, async () => {
    const outcome = await stream(
      naiveBackend(addresses),
      { fail: async () => proxies[1]!.setMode('drop'), heal: async () => proxies[1]!.setMode('pass') },
      () => sleep(500),
    );
    const stale = PHASES.flatMap((phase) => outcome.reports[phase].stale);
    expect(stale.length).toBeGreaterThan(0);
  });
});
