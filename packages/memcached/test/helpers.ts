import type { Sweeper } from '@cachesweeper/core';
import { type MemcachedProcess, memcachedStats, startMemcached } from '@cachesweeper/test-support';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { MemcachedBackend } from '../src';

/** Slack on top of a deadline for a shared, noisy machine: "settles within its deadline" means within this much more. */
export const SLACK_MS = 400;

/** How one operation settled, and how long it took. */
export interface Settled {
  readonly operation: string;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: unknown;
  readonly ms: number;
}

/** Awaits `promise` and reports how and when it settled; never rejects. */
export async function settle(operation: string, promise: Promise<unknown>): Promise<Settled> {
  const start = performance.now();
  try {
    const value = await promise;
    return { operation, ok: true, value, ms: performance.now() - start };
  } catch (error) {
    return { operation, ok: false, error, ms: performance.now() - start };
  }
}

/** Runs every operation of the backend once, all at the same time, on keys made from `prefix`. */
export function everyOperation(backend: MemcachedBackend, prefix: string): Promise<Settled[]> {
  const key = (name: string) => `${prefix}:${name}`;
  return Promise.all([
    settle('get', backend.get(key('get'))),
    settle('getMany', backend.getMany([key('a'), key('b'), key('c')])),
    settle('set', backend.set(key('set'), 'value', 0)),
    settle('setMany', backend.setMany!([{ key: key('m1'), value: 'v', ttlSeconds: 0 }])),
    settle('add', backend.add(key('add'), 'value', 0)),
    settle('incr', backend.incr(key('counter'), 1)),
    settle('delete', backend.delete(key('delete'))),
    settle(
      'leases.read',
      backend.leases!.read(
        [
          { key: key('plain') },
          { key: key('leased'), lease: 'if-missing' },
          { key: key('stale'), lease: 'replace', stamp: '7' },
        ],
        5,
      ),
    ),
    settle('leases.release', backend.leases!.release(key('leased'), '7')),
  ]);
}

/** The deadlines of a backend: of counter writes (`incr`, `delete`), and of every other operation. */
export interface Deadlines {
  readonly timeoutMs: number;
  readonly writeTimeoutMs: number;
}

/** The backend's default deadlines. */
export const DEFAULT_DEADLINES: Deadlines = { timeoutMs: 100, writeTimeoutMs: 1000 };

/** The operations that took longer than their deadline plus `SLACK_MS`, for a readable failure message. */
export function pastDeadline(results: readonly Settled[], deadlines: Deadlines = DEFAULT_DEADLINES): string[] {
  return results
    .filter((result) => {
      const counterWrite = result.operation === 'incr' || result.operation === 'delete';
      return result.ms > (counterWrite ? deadlines.writeTimeoutMs : deadlines.timeoutMs) + SLACK_MS;
    })
    .map((result) => `${result.operation}: ${result.ms.toFixed(0)} ms`);
}

/** Records uncaught exceptions, unhandled rejections and `error` events of the process while installed. */
export function watchProcess(): { readonly problems: unknown[]; stop(): void } {
  const problems: unknown[] = [];
  const record = (problem: unknown) => problems.push(problem);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  process.on('error' as 'uncaughtException', record);
  return {
    problems,
    stop() {
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
      process.off('error' as 'uncaughtException', record);
    },
  };
}

/** Waits until `server` (its name or its address) of `backend` is in `state`, or throws after `timeoutMs`. */
export async function waitForState(
  backend: MemcachedBackend,
  server: string,
  state: 'up' | 'suspect' | 'down',
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = backend.servers().find((each) => each.name === server || each.address === server);
    if (status?.state === state) return;
    if (Date.now() > deadline) {
      throw new Error(`${server} is ${status?.state ?? 'unknown'}, not ${state}, after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Sleeps `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `flush_all` commands the memcached at `address` received since it (re)started (its `cmd_flush`). */
export async function flushesSeen(address: string): Promise<number> {
  return Number((await memcachedStats(address)).cmd_flush);
}

/**
 * One memcached server for a test file (started before its tests, stopped after them) and
 * the sweepers its tests open, closed after each test; each call of `namespace` names a fresh one.
 */
export function serverForSweepers(prefix: string): {
  readonly address: () => string;
  readonly namespace: () => string;
  readonly track: (sweeper: Sweeper) => Sweeper;
} {
  let server: MemcachedProcess | undefined;
  let namespaces = 0;
  const sweepers: Sweeper[] = [];
  beforeAll(async () => {
    server = await startMemcached();
  });
  afterEach(async () => {
    await Promise.all(sweepers.splice(0).map((sweeper) => sweeper.close()));
  });
  afterAll(() => server?.stop());
  return {
    address: () => {
      if (server === undefined) throw new Error('[cachesweeper] [memcached tests] the server starts in beforeAll');
      return server.address;
    },
    namespace: () => `${prefix}${++namespaces}`,
    track: (sweeper) => {
      sweepers.push(sweeper);
      return sweeper;
    },
  };
}
