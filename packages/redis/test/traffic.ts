import { type CacheBackend, createSweeper, type Sweeper } from '@cachesweeper/core';

/** Slack on top of a deadline on this shared 2-core machine: "within its deadline" means within this much more. */
export const SLACK_MS = 400;

/** What the traffic saw while one label was set. */
export interface PhaseTally {
  renders: number;
  failed: number;
  hits: number;
  bumps: number;
  /** Renders that showed a version older than the one committed (and invalidated) before they started. */
  readonly stale: string[];
}

/** Rows rendered through `sweeper.fragment` and written by one writer, with a tally per phase. */
export interface Traffic {
  /** The Sweeper under the traffic (on a timed copy of the backend). */
  readonly sweeper: Sweeper;
  /** Label of what happens from now on. */
  phase: string;
  /** The tally of a phase. */
  tally(phase: string): PhaseTally;
  /** The longest backend call seen, in ms. */
  slowestCallMs(): number;
  /** Stops rendering and writing, waits for what is in flight, and closes the Sweeper (and the backend). */
  stop(): Promise<void>;
}

/**
 * Starts renders (`renderers` loops) and writes (one loop, a write every `writeEveryMs`)
 * on `rows` rows. A write commits a row's next version, then invalidates the row; once
 * the invalidation returned, a render that starts must show that version or a newer
 * one, else it is stale. A render loads its row in its render callback, after the
 * Sweeper read the row's token, as the Sweeper asks.
 */
export function startTraffic(backend: CacheBackend, { rows = 16, renderers = 4, writeEveryMs = 5 } = {}): Traffic {
  let slowest = 0;
  const timed = new Proxy(backend, {
    get(target, property, receiver) {
      const member = Reflect.get(target, property, receiver);
      if (typeof member !== 'function' || property === 'close') return member;
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await member.apply(target, args);
        } finally {
          slowest = Math.max(slowest, performance.now() - started);
        }
      };
    },
  });
  const sweeper = createSweeper({ backend: timed });
  const versions = Array.from({ length: rows }, () => 1);
  const committed = [...versions];
  const tallies = new Map<string, PhaseTally>();
  const tally = (phase: string) => {
    let found = tallies.get(phase);
    if (found === undefined) {
      found = { renders: 0, failed: 0, hits: 0, bumps: 0, stale: [] };
      tallies.set(phase, found);
    }
    return found;
  };
  let running = true;
  const traffic: Traffic = {
    sweeper,
    phase: 'start',
    tally,
    slowestCallMs: () => slowest,
    async stop() {
      running = false;
      await Promise.all(loops);
      await sweeper.close();
    },
  };
  const pause = () => new Promise((resolve) => setImmediate(resolve));

  const render = async () => {
    while (running) {
      const row = Math.floor(Math.random() * rows);
      const counts = tally(traffic.phase);
      const mustShow = committed[row] as number;
      let rendered = false;
      try {
        const html = await sweeper.fragment({ model: 'Row', id: row }, 0, ['row'], () => {
          rendered = true;
          return `row ${row} v${versions[row]}`;
        });
        const shown = Number(html.slice(html.lastIndexOf('v') + 1));
        if (!(shown >= mustShow)) counts.stale.push(`row ${row}: showed v${shown}, v${mustShow} was committed`);
        if (!rendered) counts.hits += 1;
      } catch {
        counts.failed += 1;
      }
      counts.renders += 1;
      await pause();
    }
  };
  const write = async () => {
    while (running) {
      const row = Math.floor(Math.random() * rows);
      const version = (versions[row] as number) + 1;
      versions[row] = version;
      await sweeper.invalidate({ model: 'Row', id: row });
      tally(traffic.phase).bumps += 1;
      committed[row] = Math.max(committed[row] as number, version);
      await new Promise((resolve) => setTimeout(resolve, writeEveryMs));
    }
  };
  const loops = [...Array.from({ length: renderers }, render), write()];
  return traffic;
}

/** Waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 10 ms until it is true, or throws after `timeoutMs` with `what`. */
export async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await sleep(10);
  }
}
