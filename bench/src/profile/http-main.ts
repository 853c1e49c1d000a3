import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { Profiler } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMemcached } from '@cachesweeper/test-support';
import { BUILD_DIR, buildMeasurement } from '../build';
import { commandLine, optionsOrExit } from '../command-line';
import { type HttpFigures, loadUrl, type RunningHttpServer, startHttpServer, stopHttpServer } from '../scenarios/http';
import { monotonicMicros, profileReport, type TimeWindow, windowProfile } from './window-profile';

// `pnpm http-profile [--app=memcached|memory|uncached-batched|uncached] [--path=/articles/<id>]
// [--comments=N] [--seconds=S] [--connections=C] [--least=P]`: where the server's CPU goes
// under load. The bench's HTTP server process (the real blog, built as the bench builds it,
// NODE_ENV=production) runs with V8's --cpu-prof; autocannon loads one app for a warm-up
// second, then for S seconds; only the samples of those S seconds are read (not the seeding,
// not the shutdown): the functions that ran most themselves and the call tree down to P per cent.

const APPS = ['memcached', 'memory', 'uncached-batched', 'uncached'] as const;
const { argument, oneOf, count, share } = commandLine('bench http-profile');

/** The profile asked for on the command line; throws a message naming a bad argument. */
function readOptions() {
  const path = argument('path', '');
  if (path !== '' && !path.startsWith('/')) {
    throw new Error(`[cachesweeper] [bench http-profile] --path must start with "/", got "${path}"`);
  }
  return {
    app: oneOf('app', argument('app', 'memcached'), APPS) as HttpFigures['name'],
    path,
    comments: count('comments', argument('comments', '100')),
    seconds: count('seconds', argument('seconds', '6')),
    connections: count('connections', argument('connections', '10')),
    least: share('least', argument('least', '1')),
  };
}

const { app, path, comments, seconds, connections, least } = optionsOrExit(readOptions);
const out = (line: string) => process.stdout.write(`${line}\n`);
const dir = mkdtempSync(join(tmpdir(), 'cachesweeper-http-profile-'));
const profiles = join(dir, 'profiles');
const memcached = await startMemcached({ memoryMb: 64, threads: 2 });
let running: RunningHttpServer | undefined;
try {
  const { server } = await buildMeasurement(join(BUILD_DIR, 'http-profile'));
  running = await startHttpServer(
    { command: process.execPath, args: [server] },
    { dir, memcachedAddress: memcached.address, n: comments },
    ['--cpu-prof', `--cpu-prof-dir=${profiles}`],
  );
  const { ready } = running;
  const url = `http://127.0.0.1:${ready.ports[app]}${path || `/articles/${ready.articleId}`}`;
  await loadUrl(url, connections, 1);
  const start = monotonicMicros();
  const result = await loadUrl(url, connections, seconds);
  const end = monotonicMicros();
  const { child } = running;
  await stopHttpServer(child, running.lines);
  if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  const [file] = readdirSync(profiles);
  if (file === undefined) throw new Error('[cachesweeper] [bench http-profile] the server wrote no CPU profile');
  const profile = JSON.parse(readFileSync(join(profiles, file), 'utf8')) as Profiler.Profile;
  // Both processes read the same monotonic clock: the load's window selects the server's samples.
  const window: TimeWindow = [start, end];
  const windowed = windowProfile(profile, [window]);
  out(`${app}, GET ${url.slice(url.indexOf('/', 8))}, N = ${comments}, ${connections} connections, ${seconds} s`);
  out(
    `${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
      `non-2xx ${result.non2xx}, errors ${result.errors}; ${windowed.samples} samples in the server during the load`,
  );
  for (const line of profileReport(windowed, least)) out(line);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
} finally {
  // A child process outlives this one's exit: one left running by a failure is killed.
  if (running !== undefined && running.child.exitCode === null) running.child.kill('SIGKILL');
  await memcached.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(process.exitCode ?? 0);
