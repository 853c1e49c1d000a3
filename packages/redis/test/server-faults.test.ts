import {
  type FaultMode,
  type FaultProxy,
  type RedisProcess,
  startFaultProxy,
  startRedis,
} from '@cachesweeper/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RedisBackend, type RedisBackendEvent, redisBackend } from '../src';
import { naiveBackend } from './fixtures/naive-backend';
import { SLACK_MS, sleep, startTraffic, until } from './traffic';

const TIMEOUT_MS = 100; // the backend's default deadline

/** How the server (or the link to it) fails, and comes back. */
interface Fault {
  readonly fail: () => Promise<void>;
  readonly failedMs: number;
  readonly heal: () => Promise<void>;
}

/** Watches the process for uncaught exceptions and unhandled rejections while a test runs. */
function watchProcess(): { readonly problems: unknown[]; stop(): void } {
  const problems: unknown[] = [];
  const record = (problem: unknown) => problems.push(problem);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  return {
    problems,
    stop: () => {
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
    },
  };
}

describe('one Redis server that fails under a stream of renders and invalidations', () => {
  let server: RedisProcess;
  let proxy: FaultProxy;
  let backend: RedisBackend;
  let events: RedisBackendEvent[];
  let watch: ReturnType<typeof watchProcess>;

  beforeEach(async () => {
    watch = watchProcess();
    server = await startRedis();
    proxy = await startFaultProxy(server.address);
    events = [];
  });
  afterEach(async () => {
    await backend?.close();
    await proxy.close();
    await server.stop();
    watch.stop();
    expect(watch.problems).toEqual([]);
  });

  /**
   * 500 ms of traffic, the fault for `failedMs`, healing until the backend has
   * replayed every missed bump, then a second of traffic: no render fails, none is
   * stale in any phase, and no backend call outlives its deadline.
   */
  async function expectNoHarm(fault: Fault, through: 'proxy' | 'direct') {
    const address = through === 'proxy' ? proxy.address : server.address;
    backend = redisBackend({ url: `redis://${address}`, retryMs: 100, onEvent: (event) => events.push(event) });
    const traffic = startTraffic(backend);
    traffic.phase = 'warm';
    await sleep(500);
    traffic.phase = 'failed';
    await fault.fail();
    await sleep(fault.failedMs);
    traffic.phase = 'healing';
    await fault.heal();
    await until('every missed bump replayed', () => {
      const status = backend.status();
      return status.connection === 'ready' && status.pendingBumps === 0;
    });
    traffic.phase = 'returned';
    await sleep(1000);
    await traffic.stop();
    for (const phase of ['warm', 'failed', 'healing', 'returned']) {
      const tally = traffic.tally(phase);
      expect(tally.failed, phase).toBe(0);
      expect(tally.stale, phase).toEqual([]);
    }
    expect(traffic.slowestCallMs()).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    // It has teeth: rows were invalidated while Redis was away, and the cache serves hits again after.
    expect(traffic.tally('failed').bumps).toBeGreaterThan(0);
    expect(traffic.tally('returned').hits).toBeGreaterThan(0);
    return traffic;
  }

  it('serves no failed and no stale render when the server is killed and restarted empty', {
    timeout: 30_000,
  }, async () => {
    await expectNoHarm({ fail: () => server.kill(), failedMs: 1000, heal: () => server.restart() }, 'direct');
  });

  it('serves no failed and no stale render when the server is frozen for 2.5 s and thaws with its old data', {
    timeout: 30_000,
  }, async () => {
    await expectNoHarm({ fail: () => server.freeze(), failedMs: 2500, heal: () => server.thaw() }, 'direct');
    // The thawed server kept its counters: only the replay of the bumps it missed keeps them from serving old pages.
    expect(events.some((event) => event.kind === 'replayed')).toBe(true);
  });

  it.each<FaultMode>(['stall', 'drop', 'garbage'])(
    'serves no failed and no stale render when the link %ss for a second, the server keeping its data',
    { timeout: 30_000 },
    async (mode) => {
      await expectNoHarm(
        { fail: async () => proxy.setMode(mode), failedMs: 1000, heal: async () => proxy.setMode('pass') },
        'proxy',
      );
      expect(events.some((event) => event.kind === 'replayed')).toBe(true);
    },
  );

  it('control: a backend that forgets failed bumps serves stale renders when the link drops', {
    timeout: 30_000,
  }, async () => {
    const traffic = startTraffic(naiveBackend(`redis://${proxy.address}`));
    await sleep(500);
    proxy.setMode('drop');
    await sleep(1000);
    proxy.setMode('pass');
    traffic.phase = 'returned';
    await sleep(1500);
    await traffic.stop();
    expect(traffic.tally('returned').stale.length).toBeGreaterThan(0);
  });
});
