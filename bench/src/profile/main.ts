import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startMemcached } from '@cachesweeper/test-support';
import { type BuiltVersion, buildVersion, WORKING_TREE } from '../ab/build-version';
import { AB_STATES, type AbPageState, type AbState, type openPageState } from '../ab/page-state';
import { commandLine, optionsOrExit } from '../command-line';
import { DATABASES, type DatabaseName, preparePostgres } from '../databases';
import { summarize } from '../stats';
import { recordRounds, timelineLines } from './round-timeline';
import { monotonicMicros, profileReport, sourceFiles, type TimeWindow, windowProfile } from './window-profile';

// `pnpm page-profile [--state=full|vote|cold|batched] [--comments=N] [--backend=memcached|memory]
// [--database=sqlite|postgres] [--rounds=R] [--timelines=T] [--least=P] [--pause=MS]`: where
// the working tree's article page spends its time in one state, bundled as the bench bundles
// its code. First the rounds of T renders (each cache call and SQL statement, with its
// start and end), then a CPU profile of R renders, of the render windows only (not the
// set-up, nor the background writes after): the functions that ran most themselves, the
// source files whose functions did (the bundle's lines mapped back to the packages' files),
// and the call tree down to P per cent. With a pause, every render starts after MS ms idle,
// as a server's page does between requests (and as section 1 times pages, after others).

const { argument, oneOf, count, share } = commandLine('bench page-profile');

/** The profile asked for on the command line; throws a message naming a bad argument. */
function readOptions() {
  return {
    state: oneOf('state', argument('state', 'vote'), AB_STATES) as AbState,
    backend: oneOf('backend', argument('backend', 'memcached'), ['memcached', 'memory'] as const),
    database: oneOf('database', argument('database', 'sqlite'), DATABASES) as DatabaseName,
    comments: count('comments', argument('comments', '100')),
    rounds: count('rounds', argument('rounds', '1000')),
    timelines: count('timelines', argument('timelines', '3'), 0),
    least: share('least', argument('least', '1')),
    pause: count('pause', argument('pause', '0'), 0),
  };
}

const { state, backend, database, comments, rounds, timelines, least, pause } = optionsOrExit(readOptions);
const WARMUP = 100;

process.setSourceMapsEnabled(false);
if (database === 'postgres') await preparePostgres();
const memcached = await startMemcached({ memoryMb: 256, threads: 2 });
let built: BuiltVersion | undefined;
let page: AbPageState | undefined;
const out = (line: string) => process.stdout.write(`${line}\n`);
try {
  built = await buildVersion(WORKING_TREE, 'profile');
  const module = (await import(built.entry)) as { openPageState: typeof openPageState };
  const opened = await module.openPageState({
    state,
    comments,
    backend,
    database,
    memcachedAddress: memcached.address,
    label: 'profile',
  });
  page = opened;
  // A server between requests: the process, and the memcached server, idle for a while before each render.
  const rest = () => (pause > 0 ? sleep(pause) : undefined);
  const renderOnce = async (): Promise<TimeWindow> => {
    await opened.setup();
    await rest();
    const start = monotonicMicros();
    await opened.render();
    const end = monotonicMicros();
    await opened.teardown();
    return [start, end];
  };
  for (let round = 0; round < WARMUP; round++) await renderOnce();
  out(`${state}, N = ${comments}, ${backend}, ${database}${pause > 0 ? `, after ${pause} ms idle` : ''}`);

  const timeline = recordRounds(opened.fixture.blog.sweeper.backend, opened.fixture.blog.sequelize);
  try {
    for (let round = 0; round < timelines; round++) {
      await opened.setup();
      await rest();
      timeline.begin();
      const start = process.hrtime.bigint();
      await opened.render();
      const micros = Number(process.hrtime.bigint() - start) / 1000;
      const events = timeline.events();
      await opened.teardown();
      out(`\nrender ${round + 1} of ${timelines}: ${(micros / 1000).toFixed(3)} ms`);
      for (const line of timelineLines(events, micros)) out(`  ${line}`);
    }
  } finally {
    timeline.stop();
  }

  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  await session.post('Profiler.start');
  const windows: TimeWindow[] = [];
  for (let round = 0; round < rounds; round++) windows.push(await renderOnce());
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  const times = summarize(windows.map(([start, end]) => (end - start) / 1000));
  const windowed = windowProfile(profile, windows);
  out(`\n${rounds} renders profiled: median ${times.median.toFixed(3)} ms, ${windowed.samples} samples inside them`);
  const bundle = readFileSync(built.entry, 'utf8');
  for (const line of profileReport(windowed, least, sourceFiles(basename(built.entry), bundle))) out(line);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await page?.close();
  built?.remove();
  await memcached.stop();
}
// The npm memcached client (in the blog's dependencies) may keep timers alive.
process.exit(process.exitCode ?? 0);
