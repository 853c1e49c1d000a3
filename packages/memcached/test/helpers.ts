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
  ]);
}

/** The operations that took longer than `limitMs`, for a readable failure message. */
export function slowerThan(results: readonly Settled[], limitMs: number): string[] {
  return results
    .filter((result) => result.ms > limitMs)
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
