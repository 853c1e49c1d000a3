import { type RedisClusterProcesses, startRedisCluster } from '@cachesweeper/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisBackendEvent, redisBackend } from '../src';
import { SLACK_MS, sleep, startTraffic, until } from './traffic';

const TIMEOUT_MS = 100; // the backend's default deadline

describe('a Redis Cluster of three masters, one of which fails under a stream of renders and invalidations', () => {
  let cluster: RedisClusterProcesses;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
  }, 60_000);
  afterAll(() => cluster.stop());

  async function expectNoHarm(fail: () => Promise<void>, failedMs: number, heal: () => Promise<void>) {
    const events: RedisBackendEvent[] = [];
    const backend = redisBackend({ nodes: cluster.addresses, retryMs: 100, onEvent: (event) => events.push(event) });
    const traffic = startTraffic(backend, { rows: 48 });
    traffic.phase = 'warm';
    await sleep(800);
    traffic.phase = 'failed';
    await fail();
    await sleep(failedMs);
    traffic.phase = 'healing';
    await heal();
    await until('every missed bump replayed', () => backend.status().pendingBumps === 0, 20_000);
    traffic.phase = 'returned';
    await sleep(1000);
    await traffic.stop();
    for (const phase of ['warm', 'failed', 'healing', 'returned']) {
      expect(traffic.tally(phase).failed, phase).toBe(0);
      expect(traffic.tally(phase).stale, phase).toEqual([]);
    }
    expect(traffic.slowestCallMs()).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(traffic.tally('failed').bumps).toBeGreaterThan(0);
    expect(traffic.tally('returned').hits).toBeGreaterThan(0);
    // The other masters kept serving while one was away.
    expect(traffic.tally('failed').hits).toBeGreaterThan(0);
    return events;
  }

  it('serves no failed and no stale render when a master is frozen for 2.5 s and thaws with its old data', {
    timeout: 60_000,
  }, async () => {
    const node = cluster.nodes[1]!;
    const events = await expectNoHarm(
      () => node.freeze(),
      2500,
      () => node.thaw(),
    );
    expect(events.some((event) => event.kind === 'replayed')).toBe(true);
  });

  it('serves no failed and no stale render when a master is killed and restarted empty', {
    timeout: 60_000,
  }, async () => {
    const node = cluster.nodes[2]!;
    await expectNoHarm(
      () => node.kill(),
      1000,
      () => node.restart(),
    );
  });
});
