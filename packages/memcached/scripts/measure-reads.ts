/**
 * What a multi-get costs through the backend against a bare socket: `getMany` of 2,
 * 100 and 1,000 keys holding ~500-byte HTML fragments with newlines and a few
 * multibyte characters, on a memcached this script starts. Contenders run
 * interleaved (the order rotates every round) after a warm-up; prints medians and
 * p90s per call and each median over the floor's. The floor is the bench's: one
 * bare socket, `get k1 k2 …` per call, values decoded as UTF-8, no deadlines, no
 * checks; it reads the values this backend wrote (it ignores their flags).
 *
 * `--baseline=<dir>` adds a second backend loaded from `<dir>/index.ts` (e.g. a copy
 * of an older `src/`, made with `git archive`), written and read under its own keys.
 * Not a test: `pnpm exec tsx scripts/measure-reads.ts [--rounds=<n>] [--baseline=<dir>]`.
 * tsx wraps closures for `keepNames`, which costs every contender alike; the bench
 * measures bundled code.
 */
import { resolve } from 'node:path';
import { startMemcached } from '@cachesweeper/test-support';
// The bench's own floor, so that both measure against the same thing.
import { RawMemcached } from '../../../bench/src/baselines/raw-memcached';
import { type MemcachedBackend, memcachedBackend } from '../src';

type GetMany = (keys: readonly string[]) => Promise<(string | undefined)[]>;

interface Contender {
  readonly name: string;
  readonly prefix: string;
  readonly getMany: GetMany;
  readonly times: Map<number, number[]>;
}

const SIZES = [2, 100, 1000];
const argument = (name: string) => process.argv.find((each) => each.startsWith(`--${name}=`))?.slice(name.length + 3);
const ROUNDS = Number(argument('rounds') ?? 400);
const WARMUP = 50;

/** A comment block as the blog renders it: ~500 bytes, newlines, some multibyte text. */
function fragment(index: number): string {
  return `<article class="comment" id="comment-${index}">
  <header>
    <span class="author">Zoë Ångström №${index}</span>
    <time datetime="2026-11-25T19:54:01.000Z">25 Nov 2026</time>
  </header>
  <p class="body">Ceci est un commentaire — with a line break,\r\nCRLF too, and “quotes”. ${'x'.repeat(index % 40)}</p>
  <footer>
    <form method="post" action="/comments/${index}/votes"><button name="value" value="1">▲ 12</button></form>
    <form method="post" action="/comments/${index}/votes"><button name="value" value="-1">▼ 3</button></form>
  </footer>
</article>
`;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

async function main(): Promise<void> {
  const server = await startMemcached({ memoryMb: 256 });
  const backends: MemcachedBackend[] = [];
  const bare = await RawMemcached.connect(server.address);
  try {
    const contenders: Contender[] = [];
    const add = (name: string, prefix: string, getMany: GetMany) =>
      contenders.push({ name, prefix, getMany, times: new Map(SIZES.map((size) => [size, []])) });
    const backend = memcachedBackend({ servers: [server.address], timeoutMs: 5000 });
    backends.push(backend);
    add('backend', 'now', (keys) => backend.getMany(keys));
    add('floor (bare socket)', 'now', (keys) => bare.getMany(keys));
    const baselineDir = argument('baseline');
    if (baselineDir !== undefined) {
      const module = (await import(resolve(baselineDir, 'index.ts'))) as { memcachedBackend: typeof memcachedBackend };
      const baseline = module.memcachedBackend({ servers: [server.address], timeoutMs: 5000 });
      backends.push(baseline);
      add(`baseline (${baselineDir})`, 'before', (keys) => baseline.getMany(keys));
    }
    const largest = Math.max(...SIZES);
    const written = new Map<string, MemcachedBackend>([['now', backend]]);
    if (backends[1] !== undefined) written.set('before', backends[1]);
    for (const [prefix, writer] of written) {
      await writer.setMany!(
        Array.from({ length: largest }, (_, index) => ({
          key: `${prefix}:${index}`,
          value: fragment(index),
          ttlSeconds: 0,
        })),
      );
    }
    const keysOf = (contender: Contender, size: number) =>
      Array.from({ length: size }, (_, index) => `${contender.prefix}:${index}`);
    // Every contender must read what was written, before anything is timed.
    for (const contender of contenders) {
      const read = await contender.getMany(keysOf(contender, largest));
      const wrong = read.findIndex((value, index) => value !== fragment(index));
      if (wrong >= 0) throw new Error(`${contender.name} read key ${wrong} wrong: ${JSON.stringify(read[wrong])}`);
    }
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      for (const size of SIZES) {
        // Fewer rounds for 1,000 keys: each takes milliseconds.
        if (size >= 1000 && round % 4 !== 0) continue;
        for (let k = 0; k < contenders.length; k++) {
          const contender = contenders[(round + k) % contenders.length] as Contender;
          const keys = keysOf(contender, size);
          const started = process.hrtime.bigint();
          await contender.getMany(keys);
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          if (round >= WARMUP) contender.times.get(size)!.push(ms);
        }
      }
    }
    const floor = contenders[1] as Contender;
    console.log(
      `getMany of ~500-byte HTML values, ${ROUNDS} interleaved rounds (1,000 keys: every 4th), ${process.version}`,
    );
    console.log('| contender | keys | median | p90 | median / floor |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const size of SIZES) {
      const floorMedian = quantile(
        [...floor.times.get(size)!].sort((a, b) => a - b),
        0.5,
      );
      for (const contender of contenders) {
        const sorted = [...contender.times.get(size)!].sort((a, b) => a - b);
        const median = quantile(sorted, 0.5);
        console.log(
          `| ${contender.name} | ${size} | ${median.toFixed(3)} ms | ${quantile(sorted, 0.9).toFixed(3)} ms | ${(median / floorMedian).toFixed(2)}× |`,
        );
      }
    }
  } finally {
    bare.close();
    await Promise.all(backends.map((backend) => backend.close()));
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
