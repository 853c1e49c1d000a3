import {
  type FaultMode,
  type FaultProxy,
  type MemcachedProcess,
  startFaultProxy,
  startMemcached,
} from '@cachesweeper/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MemcachedBackend, memcachedBackend } from '../src';
import { everyOperation, type Settled, SLACK_MS, slowerThan, waitForState, watchProcess } from './helpers';

const TIMEOUT_MS = 100; // the default deadline
const ROUNDS = 6;

describe('a network that misbehaves between the backend and its server', () => {
  let server: MemcachedProcess;
  let proxy: FaultProxy;
  let backend: MemcachedBackend;
  let watch: ReturnType<typeof watchProcess>;

  beforeEach(async () => {
    watch = watchProcess();
    server = await startMemcached();
    proxy = await startFaultProxy(server.address, { dripMs: 15, seed: 7 });
    backend = memcachedBackend({ servers: [proxy.address], graceMs: 300, retryMs: 100 });
    await backend.set('kept', 'before', 0);
  });
  afterEach(async () => {
    await backend.close();
    await proxy.close();
    await server.stop();
    watch.stop();
    expect(watch.problems).toEqual([]);
  });

  /** Runs every operation `ROUNDS` times in a row, 40 ms apart, and returns all results. */
  async function rounds(prefix: string): Promise<Settled[]> {
    const results: Settled[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      results.push(...(await everyOperation(backend, `${prefix}${round}`)));
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    return results;
  }

  it.each<FaultMode>(['stall', 'drop', 'garbage', 'drip', 'partial'])(
    'settles every operation once within its deadline in %s mode, and recovers afterwards',
    async (mode) => {
      proxy.setMode(mode);
      const results = await rounds(mode);
      expect(results).toHaveLength(ROUNDS * 7);
      expect(slowerThan(results, TIMEOUT_MS + SLACK_MS)).toEqual([]);
      proxy.setMode('pass');
      await waitForState(backend, proxy.address, 'up');
      expect(await backend.set('after', mode, 0)).toBe(true);
      expect(await backend.get('after')).toBe(mode);
    },
  );

  it.each<FaultMode>(['stall', 'drop', 'garbage', 'partial'])(
    'counts the server as failed in %s mode and flushes it before using it again',
    async (mode) => {
      proxy.setMode(mode);
      await rounds(mode);
      expect(backend.servers()[0]?.failures).toBeGreaterThan(0);
      proxy.setMode('pass');
      await waitForState(backend, proxy.address, 'up');
      expect(await backend.get('kept')).toBeUndefined();
    },
  );

  it('never returns a value the server did not store for the key asked, whatever garbage comes back', async () => {
    proxy.setMode('garbage');
    const results = await rounds('garbage-values');
    for (const result of results.filter((each) => each.ok)) {
      if (result.operation === 'get') expect(result.value).toBeUndefined();
      if (result.operation === 'getMany') expect(result.value).toEqual([undefined, undefined, undefined]);
    }
  });
});
