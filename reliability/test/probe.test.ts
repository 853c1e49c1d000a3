import { Session } from 'node:inspector/promises';
import { createSweeper } from '@cachesweeper/core';
import { memcachedBackend } from '@cachesweeper/memcached';
import { seededRandom, startMemcached } from '@cachesweeper/test-support';
import { it } from 'vitest';
import {
  checkKey,
  emptyHostileFigures,
  hostileCase,
  rawKeyRoundTrip,
  readBackThroughSweeper,
  storeThroughSweeper,
} from './support/hostile-run';

it('probe', async () => {
  const server = await startMemcached({ memoryMb: 1024 });
  const backend = memcachedBackend({ servers: [server.address], timeoutMs: 5000, graceMs: 10000 });
  const sweeper = createSweeper({ backend, timeoutMs: 10000 });
  const figures = emptyHostileFigures();
  const seen = new Map<string, string>();
  const random = seededRandom(1);
  const s = new Session();
  s.connect();
  await s.post('Profiler.enable');
  await s.post('Profiler.start');
  const t0 = performance.now();
  let tGen = 0,
    tStore = 0,
    tRead = 0,
    tRaw = 0;
  while (figures.cases < 2000) {
    let t = performance.now();
    const cases = Array.from({ length: 16 }, () => hostileCase(random));
    figures.cases += 16;
    for (const c of cases) checkKey(c, seen, figures);
    tGen += performance.now() - t;
    t = performance.now();
    const stored = await Promise.all(cases.map((c) => storeThroughSweeper(sweeper, c, figures)));
    await sweeper.idle();
    tStore += performance.now() - t;
    t = performance.now();
    await Promise.all(cases.map((c, i) => (stored[i] ? readBackThroughSweeper(sweeper, c, figures) : undefined)));
    tRead += performance.now() - t;
    t = performance.now();
    await Promise.all(cases.map((c) => rawKeyRoundTrip(backend, c, figures)));
    tRaw += performance.now() - t;
  }
  console.log('total', performance.now() - t0, { tGen, tStore, tRead, tRaw });
  const { profile } = await s.post('Profiler.stop');
  const total = profile.samples!.length;
  const counts = new Map<number, number>();
  for (const id of profile.samples!) counts.set(id, (counts.get(id) ?? 0) + 1);
  const byFn = new Map<string, number>();
  for (const node of profile.nodes) {
    const u = node.callFrame.url
      .replace(/.*node_modules\/\.pnpm\/([^/@]+(@[^/@_]+)?).*/, '$1')
      .replace(/.*\/work\/main\//, '');
    const f = `${node.callFrame.functionName || '(anon)'} ${u}:${node.callFrame.lineNumber}`;
    byFn.set(f, (byFn.get(f) ?? 0) + (counts.get(node.id) ?? 0));
  }
  console.log(
    [...byFn]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([u, c]) => `${((100 * c) / total).toFixed(1)}% ${u}`)
      .join('\n'),
  );
  await sweeper.close();
  await server.stop();
}, 600000);
