/**
 * Issue 13's flaky link, in one Node process: `--processes` backends (default 8), each
 * with its own Sweeper and its own view of server health, as separate app processes
 * would have, share one memcached. The first one reaches it through a fault proxy that
 * holds every byte for 1.5 s every 4 s, then delivers all of it (a lossless stall), or
 * with `--fault=reset` resets every connection mid-answer for 1.5 s every 4 s.
 * Every process looks up a random row every 10 ms in each of two loops; every 100 ms a random process
 * commits a write to a random row and bumps its counter. Prints the `flush_all`
 * commands the server received (`stats` `cmd_flush`), the fleet's and the flaky
 * process's fragment hit ratios, and the counter writes sent again after a stall.
 *
 * `--baseline=<dir>` runs the same with another copy of `src/` (e.g. main's, made with
 * `git archive`, inside the workspace so that its imports resolve) after this one.
 * Not a test: `pnpm exec tsx scripts/measure-flaky-link.ts [--seconds=60] [--fault=hold|reset] [--baseline=<dir>]`.
 */
import { resolve } from 'node:path';
import { type CacheBackend, createSweeper, type Sweeper } from '@cachesweeper/core';
import { memcachedStats, startFaultProxy, startMemcached } from '@cachesweeper/test-support';
import { memcachedBackend, type ServerChange } from '../src';

type Factory = (options: {
  servers: string[];
  onServerChange: (change: ServerChange) => void;
}) => CacheBackend & { servers(): { state: string }[] };

const argument = (name: string) => process.argv.find((each) => each.startsWith(`--${name}=`))?.slice(name.length + 3);
const SECONDS = Number(argument('seconds') ?? 60);
const PROCESSES = Number(argument('processes') ?? 8);
const ROWS = 200;
const RENDER_LOOPS = 2;
const LOOKUP_EVERY_MS = 10;
const WRITE_EVERY_MS = 100;
const FAULT = (argument('fault') ?? 'hold') as 'hold' | 'reset';
const HOLD_MS = 1500;
const PERIOD_MS = 4000;

interface Tally {
  lookups: number;
  hits: number;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function run(label: string, factory: Factory): Promise<void> {
  const server = await startMemcached({ memoryMb: 64 });
  const proxy = await startFaultProxy(server.address);
  const versions = Array.from({ length: ROWS }, () => 1);
  const tallies: Tally[] = [];
  const sweepers: Sweeper[] = [];
  const replayed: number[] = [];
  const downs: number[] = [];
  const backends = Array.from({ length: PROCESSES }, (_, index) =>
    factory({
      servers: [index === 0 ? proxy.address : server.address],
      onServerChange: (change) => {
        if (change.state === 'down') downs.push(index);
        const sent = /(\d+) counter write\(s\) sent again/.exec(change.reason);
        if (sent) replayed.push(Number(sent[1]));
      },
    }),
  );
  let running = true;
  const loops: Promise<void>[] = [];
  for (const backend of backends) {
    const sweeper = createSweeper({ backend, onError: () => {} });
    const tally: Tally = { lookups: 0, hits: 0 };
    sweepers.push(sweeper);
    tallies.push(tally);
    for (let loop = 0; loop < RENDER_LOOPS; loop++) {
      loops.push(
        (async () => {
          while (running) {
            const started = performance.now();
            const row = Math.floor(Math.random() * ROWS);
            let rendered = false;
            await sweeper.fragment({ model: 'Row', id: row }, 0, ['row'], () => {
              rendered = true;
              return `row ${row} v${versions[row]}`;
            });
            tally.lookups += 1;
            if (!rendered) tally.hits += 1;
            // Each process asks at the same pace whether it hits or not, as app processes behind
            // one load balancer would: a miss here costs no query, so it would spin faster.
            await sleep(Math.max(0, LOOKUP_EVERY_MS - (performance.now() - started)));
          }
        })(),
      );
    }
  }
  loops.push(
    (async () => {
      while (running) {
        const row = Math.floor(Math.random() * ROWS);
        versions[row]! += 1;
        await sweepers[Math.floor(Math.random() * sweepers.length)]!.invalidate({ model: 'Row', id: row });
        await sleep(WRITE_EVERY_MS);
      }
    })(),
  );
  const started = Date.now();
  while (Date.now() - started < SECONDS * 1000) {
    proxy.setMode(FAULT);
    await sleep(HOLD_MS);
    proxy.setMode('pass');
    await sleep(PERIOD_MS - HOLD_MS);
  }
  running = false;
  await Promise.all(loops);
  const flushes = Number((await memcachedStats(server.address)).cmd_flush);
  await Promise.all(sweepers.map((sweeper) => sweeper.close()));
  await proxy.close();
  await server.stop();
  const lookups = tallies.reduce((sum, tally) => sum + tally.lookups, 0);
  const hits = tallies.reduce((sum, tally) => sum + tally.hits, 0);
  const flaky = tallies[0]!;
  const others = { lookups: lookups - flaky.lookups, hits: hits - flaky.hits };
  const percent = (part: number, whole: number) => `${((100 * part) / Math.max(1, whole)).toFixed(1)}%`;
  console.log(
    `| ${label} | ${flushes} | ${percent(hits, lookups)} (${lookups} lookups) | ` +
      `${percent(flaky.hits, flaky.lookups)} (${flaky.lookups}) | ${percent(others.hits, others.lookups)} | ` +
      `${downs.filter((index) => index === 0).length} | ` +
      `${replayed.reduce((sum, count) => sum + count, 0)} |`,
  );
}

async function main(): Promise<void> {
  console.log(
    `${PROCESSES} processes, one memcached, ${SECONDS} s; process 1's link ${FAULT === 'hold' ? 'holds every byte' : 'resets every connection mid-answer'} ${HOLD_MS} ms ` +
      `every ${PERIOD_MS} ms; ${ROWS} rows, a write every ${WRITE_EVERY_MS} ms (${process.version})`,
  );
  console.log(
    '| backend | flush_all received | fleet hit ratio | flaky process | the other processes | ' +
      'the flaky process saw its server go down | counter writes sent again |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  await run('this backend', (options) => memcachedBackend(options));
  const baselineDir = argument('baseline');
  if (baselineDir !== undefined) {
    const module = (await import(resolve(baselineDir, 'index.ts'))) as { memcachedBackend: Factory };
    await run(`baseline (${baselineDir})`, module.memcachedBackend);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
