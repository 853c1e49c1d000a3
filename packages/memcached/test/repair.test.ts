import { type CacheSweeperError, createSweeper, type Sweeper } from '@cachesweeper/core';
import { type FaultProxy, type MemcachedProcess, startFaultProxy, startMemcached } from '@cachesweeper/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MemcachedBackend, type MemcachedBackendOptions, memcachedBackend } from '../src';
import { flushesSeen, SLACK_MS, settle, sleep, waitForState, watchProcess } from './helpers';

const GRACE_MS = 300;
const RETRY_MS = 100;
const WRITE_TIMEOUT_MS = 500;

/** How the test breaks the backend's link to its server, and mends it. */
interface Fault {
  fail(): Promise<void> | void;
  heal(): Promise<void> | void;
}

describe('a server that comes back after a fault', () => {
  let server: MemcachedProcess;
  let proxy: FaultProxy;
  let backend: MemcachedBackend;
  let watch: ReturnType<typeof watchProcess>;

  const faults: Record<string, () => Fault> = {
    // every byte held, both ways, and delivered late (or discarded with its connection)
    hold: () => ({ fail: () => proxy.setMode('hold'), heal: () => proxy.setMode('pass') }),
    drop: () => ({ fail: () => proxy.setMode('drop'), heal: () => proxy.setMode('pass') }),
    // the request reaches the server; its answer is cut by a TCP reset
    reset: () => ({ fail: () => proxy.setMode('reset'), heal: () => proxy.setMode('pass') }),
    SIGSTOP: () => ({ fail: () => server.freeze(), heal: () => server.thaw() }),
    kill: () => ({ fail: () => server.kill(), heal: () => server.restart() }),
  };

  /** A backend through the proxy with short deadlines, so that each fault plays out in about a second. */
  function connect(options: Partial<MemcachedBackendOptions> = {}): MemcachedBackend {
    return memcachedBackend({
      servers: [proxy.address],
      graceMs: GRACE_MS,
      retryMs: RETRY_MS,
      writeTimeoutMs: WRITE_TIMEOUT_MS,
      ...options,
    });
  }

  /** Stores `value` under `key` through a backend of its own, with a deadline a loaded machine does not miss. */
  async function seed(key: string, value: string): Promise<void> {
    const seeder = memcachedBackend({ servers: [server.address], timeoutMs: 5000 });
    await seeder.set(key, value, 0);
    await seeder.close();
  }

  beforeEach(async () => {
    watch = watchProcess();
    server = await startMemcached();
    proxy = await startFaultProxy(server.address);
    await seed('kept', 'before');
    backend = connect();
  });
  afterEach(async () => {
    await backend.close();
    await proxy.close();
    await server.stop();
    watch.stop();
    expect(watch.problems).toEqual([]);
  });

  it.each(['hold', 'SIGSTOP'])(
    'takes a server back without a flush when only reads stalled (%s, 1.5 s, three times), with all it held',
    { timeout: 30_000 },
    async (kind) => {
      const fault = faults[kind]!();
      for (let cycle = 0; cycle < 3; cycle++) {
        await fault.fail();
        const stalledUntil = Date.now() + 1500;
        while (Date.now() < stalledUntil) {
          await settle('get', backend.getMany(['kept', 'other']));
          await sleep(20);
        }
        await fault.heal();
        await waitForState(backend, proxy.address, 'up');
      }
      expect(backend.servers()[0]).toMatchObject({ failures: 3, rejoins: 3, flushes: 0 });
      expect(await flushesSeen(server.address)).toBe(0);
      expect(await backend.get('kept')).toBe('before');
    },
  );

  describe.each(['hold', 'drop', 'reset', 'SIGSTOP', 'kill'])('a bump that failed (%s)', (kind) => {
    let sweeper: Sweeper;
    let errors: CacheSweeperError[];
    beforeEach(() => {
      errors = [];
      sweeper = createSweeper({ backend, onError: (error) => errors.push(error) });
    });

    it('is sent again when the server returns: the fragment keyed on the old token is not served', {
      timeout: 20_000,
    }, async () => {
      let data = 'v1';
      let renders = 0;
      const render = () =>
        sweeper.fragment({ model: 'Row', id: 1 }, 0, ['row'], () => {
          renders += 1;
          return `row ${data}`;
        });
      expect(await render()).toBe('row v1');
      await sweeper.idle(); // the fragment is stored
      expect(await render()).toBe('row v1');
      expect(renders).toBe(1);

      const fault = faults[kind]!();
      await fault.fail();
      data = 'v2'; // the write commits, its bump fails
      await sweeper.invalidate({ model: 'Row', id: 1 });
      await waitForState(backend, proxy.address, 'down');
      expect(errors.length).toBeGreaterThan(0);
      expect(backend.servers()[0]?.pendingReplays).toBe(1);
      await fault.heal();
      await waitForState(backend, proxy.address, 'up');

      expect(await render()).toBe('row v2');
      expect(backend.servers()[0]).toMatchObject({ flushes: 0, pendingReplays: 0 });
      expect(await flushesSeen(server.address)).toBe(0);
    });
  });

  it('flushes exactly once when more bumps failed than it could remember', async () => {
    await backend.close();
    backend = connect({ replayLimit: 3 });
    proxy.setMode('drop');
    const bumps = await Promise.all(
      Array.from({ length: 5 }, (_, row) => settle('incr', backend.incr(`cs:Row:${row}`, 1))),
    );
    expect(bumps.every((bump) => !bump.ok)).toBe(true);
    expect(String(bumps[4]?.error)).toMatch(/too many writes to remember: the server is flushed/);
    expect(backend.servers()[0]).toMatchObject({ state: 'down', needsFlush: true, pendingReplays: 0 });
    proxy.setMode('pass');
    await waitForState(backend, proxy.address, 'up');
    expect(backend.servers()[0]).toMatchObject({ flushes: 1, needsFlush: false });
    expect(await flushesSeen(server.address)).toBe(1);
    expect(await backend.get('kept')).toBeUndefined();
  });

  it('flushes a server at most once per minFlushIntervalMs, keeping it out of use until then', {
    timeout: 20_000,
  }, async () => {
    const MIN_FLUSH_INTERVAL_MS = 2000;
    await backend.close();
    const ups: number[] = [];
    backend = connect({
      replayLimit: 1,
      retryMs: 50,
      maxRetryMs: 200,
      minFlushIntervalMs: MIN_FLUSH_INTERVAL_MS,
      onServerChange: (change) => {
        if (change.state === 'up') ups.push(Date.now());
      },
    });
    const overflow = async () => {
      proxy.setMode('drop');
      await settle('incr', backend.incr('cs:Row:1', 1));
      await settle('incr', backend.incr('cs:Row:2', 1));
      proxy.setMode('pass');
    };
    await overflow();
    await waitForState(backend, proxy.address, 'up');
    await overflow();
    await sleep(MIN_FLUSH_INTERVAL_MS / 2);
    // It answers its probes, but it may not be flushed yet: its keys stay misses.
    expect(backend.servers()[0]).toMatchObject({ state: 'down', needsFlush: true });
    expect(backend.servers()[0]?.lastError).toMatch(/needs a flush_all/);
    expect(await backend.get('kept')).toBeUndefined();
    await waitForState(backend, proxy.address, 'up', 10_000);
    expect(await flushesSeen(server.address)).toBe(2);
    expect(ups).toHaveLength(2);
    expect(ups[1]! - ups[0]!).toBeGreaterThanOrEqual(MIN_FLUSH_INTERVAL_MS - 100);
  });

  it('flushes on its return a server that a flush() could not reach, however recent the last flush', async () => {
    await backend.flush!();
    proxy.setMode('drop');
    await settle('get', backend.get('kept'));
    await waitForState(backend, proxy.address, 'down');
    await backend.flush!();
    expect(backend.servers()[0]?.needsFlush).toBe(true);
    proxy.setMode('pass');
    await waitForState(backend, proxy.address, 'up');
    expect(await flushesSeen(server.address)).toBe(2);
    expect(backend.servers()[0]).toMatchObject({ flushes: 2, needsFlush: false });
    expect(await backend.get('kept')).toBeUndefined();
  });

  it('probes a server that keeps failing less and less often', { timeout: 20_000 }, async () => {
    await backend.close();
    backend = connect({ retryMs: 50, maxRetryMs: 400 });
    proxy.setMode('drop');
    await settle('get', backend.get('kept'));
    await waitForState(backend, proxy.address, 'down');
    const before = proxy.accepted;
    await sleep(3000);
    // Every 50 ms: about 60 probes; waits of 50, 100, 200, then 400 ms: about 9.
    const probes = proxy.accepted - before;
    expect(probes).toBeGreaterThanOrEqual(3);
    expect(probes).toBeLessThanOrEqual(15);
  });

  it('reports a bump that lands late, within writeTimeoutMs, as done', async () => {
    await backend.close();
    backend = connect({ writeTimeoutMs: 3000, graceMs: 1000 });
    await seed('counter', '100');
    proxy.setMode('hold');
    const bump = backend.incr('counter', 1);
    await sleep(400); // four times the read deadline
    proxy.setMode('pass');
    expect(await bump).toBe(101);
    expect(backend.servers()[0]).toMatchObject({ state: 'up', failures: 0 });
  });

  it('settles a bump that misses writeTimeoutMs within it, saying that it may still land', async () => {
    proxy.setMode('hold');
    const bump = await settle('incr', backend.incr('counter', 1));
    expect(bump.ok).toBe(false);
    expect(String(bump.error)).toMatch(/missed its 500 ms deadline: it may still land/);
    expect(bump.ms).toBeLessThan(WRITE_TIMEOUT_MS + SLACK_MS);
    proxy.setMode('pass');
  });
});
