import { createSweeper, type Sweeper } from '@cachesweeper/core';
import { type MemcachedBackend, memcachedBackend } from '@cachesweeper/memcached';
import {
  type FaultMode,
  type FaultProxy,
  type MemcachedProcess,
  startFaultProxy,
  startMemcached,
} from '@cachesweeper/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchProcess } from './support/process-watch';
import { printFigures, scaled } from './support/scale';
import { SettleWatch } from './support/settle-watch';
import { pick, sleep, waitUntil } from './support/timing';

const MODES: readonly FaultMode[] = ['stall', 'drop', 'garbage', 'drip', 'partial'];
const FAULT_MS = scaled(1_500, 5_000);
const BACKEND_DEADLINE_MS = 100; // memcachedBackend's default timeoutMs
const COUNTER_WRITE_DEADLINE_MS = 1_000; // memcachedBackend's default writeTimeoutMs (incr, delete)
const ROUND_DEADLINE_MS = 200; // the Sweeper's default timeoutMs
// A lookup is at most four rounds (tokens, create missing ones, re-read, fragments), each under its deadline.
const SWEEPER_DEADLINE_MS = 4 * ROUND_DEADLINE_MS;
const SLACK_MS = 400;
const KEYS = 64;

/** What one fault mode did. */
interface ModeFigures {
  readonly mode: FaultMode;
  readonly watch: SettleWatch;
  /** Calls to keys of the healthy server that failed while the other one misbehaved. */
  healthyFailures: number;
  recoveryMs: number;
}

describe('misbehaving servers behind a fault proxy: stall, drop, garbage, slow drip, partial answers', () => {
  let healthy: MemcachedProcess;
  let faulty: MemcachedProcess;
  let proxy: FaultProxy;
  let backend: MemcachedBackend;
  let sweeper: Sweeper;
  const results: ModeFigures[] = [];
  const processWatch = watchProcess();
  let healthyKeys: string[] = [];
  let faultyKeys: string[] = [];

  /** Fires every kind of call at random keys, concurrently, until `ms` have passed. */
  async function stream(figures: ModeFigures, ms: number): Promise<void> {
    const until = performance.now() + ms;
    const { watch } = figures;
    const loop = async () => {
      while (performance.now() < until) {
        const key = pick([...healthyKeys, ...faultyKeys]);
        const onHealthy = healthyKeys.includes(key);
        const calls: [string, Promise<unknown>][] = [
          ['backend get', backend.get(key)],
          ['backend getMany', backend.getMany([pick(healthyKeys), pick(faultyKeys), key])],
          ['backend set', backend.set(key, `value of ${key}`, 0)],
          ['backend setMany', backend.setMany!([{ key, value: 'many', ttlSeconds: 0 }])],
          ['backend add', backend.add(`${key}:add`, '1', 0)],
          ['counter write incr', backend.incr(`${key}:counter`, 1)],
          ['counter write delete', backend.delete(`${key}:add`)],
          ['sweeper fragment', sweeper.fragment({ model: 'Row', id: key }, 0, ['row'], () => `<p>${key}</p>`)],
          ['sweeper invalidate', sweeper.invalidate({ model: 'Row', id: key })],
        ];
        if (Math.random() < 0.02) calls.push(['backend flush', backend.flush!()]);
        await Promise.all(calls.map(([operation, promise]) => watch.watch(operation, promise)));
        if (onHealthy) {
          // A key of the healthy server keeps working while the other server misbehaves.
          const stored = await backend.set(key, 'healthy', 0).catch(() => false);
          if (!stored) figures.healthyFailures += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, loop));
  }

  beforeAll(async () => {
    healthy = await startMemcached();
    faulty = await startMemcached();
    proxy = await startFaultProxy(faulty.address, { dripMs: 5 });
    // Probes back off while the proxy misbehaves; a cap of 1.2 s keeps the wait for each return short.
    backend = memcachedBackend({ servers: [healthy.address, proxy.address], retryMs: 300, maxRetryMs: 1_200 });
    sweeper = createSweeper({ backend });
    // Which keys live where: a backend on the healthy server alone finds its half.
    const keys = Array.from({ length: KEYS }, (_, index) => `key:${index}`);
    await backend.setMany!(keys.map((key) => ({ key, value: 'x', ttlSeconds: 0 })));
    const alone = memcachedBackend({ servers: [healthy.address] });
    const found = await alone.getMany(keys);
    await alone.close();
    healthyKeys = keys.filter((_, index) => found[index] !== undefined);
    faultyKeys = keys.filter((_, index) => found[index] === undefined);

    for (const mode of MODES) {
      const figures: ModeFigures = { mode, watch: new SettleWatch(), healthyFailures: 0, recoveryMs: Number.NaN };
      results.push(figures);
      proxy.setMode(mode);
      await stream(figures, FAULT_MS);
      proxy.setMode('pass');
      const healed = performance.now();
      await waitUntil('the faulty server to be up again', () =>
        backend.servers().every((status) => status.state === 'up'),
      );
      figures.recoveryMs = Math.round(performance.now() - healed);
      // Late answers of the fault may still arrive; every call must have settled by now anyway.
      await sleep(BACKEND_DEADLINE_MS + SLACK_MS);
    }
    printFigures(
      'misbehaving servers',
      results
        .map(
          ({ mode, watch, healthyFailures, recoveryMs }) =>
            `${mode}: ${watch.calls.length} calls, ${watch.calls.length - watch.notOnce().length} settled once, ` +
            `${watch.calls.filter((call) => call.ok === false).length} failed, slowest backend call ${Math.round(watch.slowest('backend'))} ms, ` +
            `slowest counter write ${Math.round(watch.slowest('counter write'))} ms, ` +
            `slowest sweeper call ${Math.round(watch.slowest('sweeper'))} ms, ${healthyFailures} failures on the healthy server, back in ${recoveryMs} ms`,
        )
        .join('; ') +
        ` (deadlines ${BACKEND_DEADLINE_MS} ms per backend call, ${COUNTER_WRITE_DEADLINE_MS} ms per counter write, ` +
        `${SWEEPER_DEADLINE_MS} ms per sweeper call, + ${SLACK_MS} ms slack); ` +
        `${processWatch.problems.length} uncaught exceptions or unhandled rejections`,
    );
  }, 10 * 60_000);
  afterAll(async () => {
    processWatch.stop();
    await sweeper?.close();
    await proxy?.close();
    await healthy?.stop();
    await faulty?.stop();
  });

  it.each(MODES)('settles every call exactly once while the server misbehaves (%s)', (mode) => {
    const figures = results.find((result) => result.mode === mode)!;
    expect(figures.watch.notOnce()).toEqual([]);
  });

  it.each(MODES)('settles every backend call within its deadline plus slack (%s)', (mode) => {
    const figures = results.find((result) => result.mode === mode)!;
    expect(figures.watch.slowerThan('backend', BACKEND_DEADLINE_MS + SLACK_MS)).toEqual([]);
  });

  it.each(MODES)('settles every counter write (incr, delete) within its own deadline plus slack (%s)', (mode) => {
    const figures = results.find((result) => result.mode === mode)!;
    expect(figures.watch.slowerThan('counter write', COUNTER_WRITE_DEADLINE_MS + SLACK_MS)).toEqual([]);
  });

  it.each(MODES)('settles every sweeper call within its rounds deadlines plus slack (%s)', (mode) => {
    const figures = results.find((result) => result.mode === mode)!;
    expect(figures.watch.slowerThan('sweeper', SWEEPER_DEADLINE_MS + SLACK_MS)).toEqual([]);
  });

  it.each(MODES)('never fails a sweeper call: a cache failure is a miss (%s)', (mode) => {
    const figures = results.find((result) => result.mode === mode)!;
    expect(figures.watch.calls.filter((call) => call.operation.startsWith('sweeper') && !call.ok)).toEqual([]);
  });

  it.each(MODES)('keeps the healthy server working (%s)', (mode) => {
    expect(results.find((result) => result.mode === mode)!.healthyFailures).toBe(0);
  });

  it('lets nothing escape as an uncaught exception or unhandled rejection', () => {
    expect(processWatch.problems).toEqual([]);
  });
});
