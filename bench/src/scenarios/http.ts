import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import type { BenchScale } from '../scale';
import { type Summary, summarize } from '../stats';

/** Longer than any page of the server takes under load (the naive page's p99 is under 1 s). */
const SETTLE_MS = 1500;

/** How to start the HTTP comparison's server process (`src/http/server.ts`, built or through tsx). */
export interface ServerCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** One contender under load. */
export interface HttpFigures {
  readonly name: 'uncached' | 'uncached-batched' | 'memory' | 'memcached';
  /** Requests per second, one per run. */
  readonly requestsPerSecond: number[];
  /** p99 latency in ms, one per run. */
  readonly p99: number[];
  /** Median latency in ms, one per run. */
  readonly p50: number[];
  readonly rps: Summary;
  readonly latencyP99: Summary;
  /** Responses other than 2xx, and connection errors, over all runs. */
  readonly failures: number;
}

/** The HTTP comparison. */
export interface HttpResult {
  readonly n: number;
  readonly connections: number;
  readonly seconds: number;
  readonly runs: number;
  readonly figures: HttpFigures[];
  /** Express's view cache (as NODE_ENV=production sets it) was on in every app. */
  readonly viewCache: boolean;
  readonly cacheErrors: number;
}

/** What the server process prints once its apps listen. */
export interface ServerReady {
  readonly ports: Record<HttpFigures['name'], number>;
  readonly articleId: number;
  readonly viewCache: boolean;
}

/** The HTTP comparison's server process, running, and the lines it prints. */
export interface RunningHttpServer {
  readonly child: ChildProcess;
  readonly lines: AsyncIterator<string>;
  readonly ready: ServerReady;
}

/** What the server process seeds: its SQLite files' directory, the memcached server, N. */
export interface HttpServerSeed {
  readonly dir: string;
  readonly memcachedAddress: string;
  readonly n: number;
}

/**
 * Starts the server process (NODE_ENV=production, as a deployment runs Express) with
 * `nodeOptions` before its script (e.g. `--cpu-prof`), and waits until its apps listen.
 * Kills it and throws when it exits or prints something else first.
 */
export async function startHttpServer(
  server: ServerCommand,
  seed: HttpServerSeed,
  nodeOptions: readonly string[] = [],
): Promise<RunningHttpServer> {
  const child = spawn(server.command, [...nodeOptions, ...server.args], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      BENCH_DIR: seed.dir,
      BENCH_MEMCACHED: seed.memcachedAddress,
      BENCH_COMMENTS: String(seed.n),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> })[Symbol.asyncIterator]();
  try {
    const first = await lines.next();
    if (first.done) throw new Error('[cachesweeper] [bench http] the server process exited before its apps listened');
    return { child, lines, ready: JSON.parse(String(first.value)) as ServerReady };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** Every app of the HTTP comparison, in the order they are loaded. */
export const HTTP_APPS: readonly HttpFigures['name'][] = ['uncached', 'uncached-batched', 'memory', 'memcached'];

/**
 * The blog under load on loopback: its server process (NODE_ENV=production)
 * serves the article page of N comments uncached (naive and batched queries), cached
 * on the memory backend and cached on memcached; autocannon (in this process,
 * programmatic API) runs short runs against each in turn — uncached, batched, memory,
 * memcached, uncached, … — after one warm-up run each.
 */
export async function measureHttp(
  scale: BenchScale,
  dir: string,
  memcachedAddress: string,
  server: ServerCommand,
  n: number = scale.http.n,
  names: readonly HttpFigures['name'][] = HTTP_APPS,
): Promise<HttpResult> {
  const { runs, seconds, warmupSeconds, connections } = scale.http;
  const { child, lines, ready } = await startHttpServer(server, { dir, memcachedAddress, n });
  try {
    const samples = new Map(names.map((name) => [name, [] as autocannon.Result[]]));
    const url = (name: HttpFigures['name']) => `http://127.0.0.1:${ready.ports[name]}/articles/${ready.articleId}`;
    if (warmupSeconds > 0) for (const name of names) await loadUrl(url(name), connections, warmupSeconds);
    for (let run = 0; run < runs; run++) {
      for (const name of names) samples.get(name)?.push(await loadUrl(url(name), connections, seconds));
    }
    const cacheErrors = await stopHttpServer(child, lines);
    return {
      n,
      connections,
      seconds,
      runs,
      viewCache: ready.viewCache,
      cacheErrors,
      figures: names.map((name) => {
        const results = samples.get(name) ?? [];
        const requestsPerSecond = results.map((result) => result.requests.average);
        const p99 = results.map((result) => result.latency.p99);
        return {
          name,
          requestsPerSecond,
          p99,
          p50: results.map((result) => result.latency.p50),
          rps: summarize(requestsPerSecond),
          latencyP99: summarize(p99),
          failures: results.reduce((sum, result) => sum + result.non2xx + result.errors, 0),
        };
      }),
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** One autocannon run against `url`: `connections` at once, for `seconds`. */
export function loadUrl(url: string, connections: number, seconds: number): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration: seconds, pipelining: 1 });
}

/**
 * Stops the server process (SIGTERM: it closes its apps and fixtures); the cache failures it
 * counted, or -1. autocannon drops its sockets when its time is up: the requests they left
 * in the server are let end first (closed under them, its databases would fail them, and the
 * server would say so on stderr).
 */
export async function stopHttpServer(child: ChildProcess, lines: AsyncIterator<string>): Promise<number> {
  await sleep(SETTLE_MS);
  child.kill('SIGTERM');
  const last = await lines.next();
  return last.done ? -1 : (JSON.parse(String(last.value)) as { cacheErrors: number }).cacheErrors;
}
