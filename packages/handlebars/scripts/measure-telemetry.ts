/**
 * What telemetry costs on the memcached full hit: the article page (an outer block
 * around 100 comment blocks, its fragment found under its last key: one round trip)
 * rendered with `renderCached`, on a memcached this script starts, by three sweepers
 * that differ only in telemetry: `telemetry: false`; the default with
 * `@opentelemetry/api` installed and no provider registered (what most installs run);
 * and the OpenTelemetry SDK recording every span and metric in memory (for
 * information). Contenders run interleaved (the order rotates every round) after a
 * warm-up; prints medians and p90s per page and each median over `telemetry: false`.
 *
 * Not a test: `pnpm exec tsx scripts/measure-telemetry.ts [--rounds=<n>]`.
 */
import { createSweeper, type Sweeper, type SweeperOptions } from '@cachesweeper/core';
import { memcachedBackend } from '@cachesweeper/memcached';
import { startMemcached } from '@cachesweeper/test-support';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import Handlebars from 'handlebars';
import { type CompiledTemplate, registerCacheSweeper, renderCached } from '../src';

const argument = (name: string) => process.argv.find((each) => each.startsWith(`--${name}=`))?.slice(name.length + 3);
const ROUNDS = Number(argument('rounds') ?? 3000);
const WARMUP = 200;
const COMMENTS = 100;

const SOURCE = `{{#cachesweeper article 3600 "article-page"}}<article><h1>{{article.title}}</h1>
<ol>{{#each comments}}{{#cachesweeper this 3600 "comment"}}<li id="comment-{{id}}"><b>{{author}}</b> {{body}}</li>{{/cachesweeper}}{{/each}}</ol>
</article>{{/cachesweeper}}`;

interface Contender {
  readonly name: string;
  readonly sweeper: Sweeper;
  readonly page: CompiledTemplate;
  readonly times: number[];
  readonly reset: () => void;
}

function contender(name: string, address: string, telemetry: SweeperOptions['telemetry'], reset = () => {}): Contender {
  const sweeper = createSweeper({
    backend: memcachedBackend({ servers: [address] }),
    namespace: name.replace(/[^A-Za-z0-9]/g, '-'),
    ...(telemetry === undefined ? {} : { telemetry }),
  });
  const handlebars = Handlebars.create();
  registerCacheSweeper(handlebars, sweeper);
  return { name, sweeper, page: handlebars.compile(SOURCE), times: [], reset };
}

const context = {
  article: { model: 'Article', id: 1, title: 'Telemetry' },
  comments: Array.from({ length: COMMENTS }, (_, index) => ({
    model: 'Comment',
    id: index + 1,
    author: `Author ${index}`,
    body: `Comment number ${index}, with some text to render.`,
  })),
};

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

async function main(): Promise<void> {
  const server = await startMemcached({ memoryMb: 64 });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 })],
  });
  const contenders = [
    contender('telemetry: false', server.address, false),
    contender('no provider (default)', server.address, undefined),
    contender('SDK recording', server.address, { tracerProvider, meterProvider }, () => spans.reset()),
  ];
  try {
    for (const each of contenders) {
      await renderCached(each.page, context);
      await each.sweeper.idle();
      await renderCached(each.page, context);
    }
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      for (let turn = 0; turn < contenders.length; turn++) {
        const each = contenders[(round + turn) % contenders.length] as Contender;
        const started = performance.now();
        await renderCached(each.page, context);
        const elapsed = performance.now() - started;
        if (round >= WARMUP) each.times.push(elapsed);
        each.reset();
      }
    }
    const base = [...(contenders[0] as Contender).times].sort((a, b) => a - b);
    const baseMedian = quantile(base, 0.5);
    console.log(`memcached full hit, N = ${COMMENTS}, ${ROUNDS} pages each, interleaved`);
    for (const each of contenders) {
      const sorted = [...each.times].sort((a, b) => a - b);
      const median = quantile(sorted, 0.5);
      const ratio = ((median / baseMedian - 1) * 100).toFixed(1);
      console.log(
        `${each.name.padEnd(24)} median ${(median * 1000).toFixed(0).padStart(5)} µs  p90 ${(quantile(sorted, 0.9) * 1000).toFixed(0).padStart(5)} µs  ${median === baseMedian ? '' : `${Number(ratio) >= 0 ? '+' : ''}${ratio}%`}`,
      );
    }
    const stats = (contenders[0] as Contender).sweeper.stats();
    console.log(`round trips per page: ${(stats.roundTrips / (ROUNDS + WARMUP + 2)).toFixed(2)}`);
  } finally {
    for (const each of contenders) await each.sweeper.close();
    await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    await server.stop();
  }
}

await main();
