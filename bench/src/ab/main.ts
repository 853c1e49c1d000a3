import { startMemcached } from '@cachesweeper/test-support';
import { commandLine, optionsOrExit } from '../command-line';
import { DATABASES, type DatabaseName, preparePostgres } from '../databases';
import { timeOnce } from '../harness';
import { summarize } from '../stats';
import { type BuiltVersion, buildVersion, WORKING_TREE } from './build-version';
import { AB_STATES, type AbPageState, type AbState, type openPageState } from './page-state';
import { pairedRatios } from './paired-ratios';

// `pnpm ab [--a=<revision>] [--b=<revision>] [--state=full|vote|cold|batched] [--comments=N]
// [--backend=memcached|memory] [--database=sqlite|postgres] [--rounds=R]`: the article
// page of two code versions (default: HEAD against the working tree), bundled as the bench
// bundles its code, run side by side in this process, their rounds interleaved in turn order
// A, B, then B, A: medians and the median of per-round ratios B / A. One process and paired
// rounds: a shared, noisy machine moves both alike.

const { argument, oneOf, count } = commandLine('bench ab');

/** The comparison asked for on the command line; throws a message naming a bad argument. */
function readOptions() {
  const backend = oneOf('backend', argument('backend', 'memcached'), ['memcached', 'memory'] as const);
  const rounds = count('rounds', argument('rounds', '300'));
  return {
    revisions: { a: argument('a', 'HEAD'), b: argument('b', WORKING_TREE) },
    state: oneOf('state', argument('state', 'vote'), AB_STATES) as AbState,
    backend,
    database: oneOf('database', argument('database', 'sqlite'), DATABASES) as DatabaseName,
    comments: count('comments', argument('comments', '100')),
    rounds,
    warmup: Math.max(20, Math.round(rounds / 10)),
  };
}

const { revisions, state, backend, database, comments, rounds, warmup } = optionsOrExit(readOptions);

process.setSourceMapsEnabled(false);
if (database === 'postgres') await preparePostgres();
const memcached = await startMemcached({ memoryMb: 256, threads: 2 });
const built: BuiltVersion[] = [];
const states: AbPageState[] = [];
try {
  for (const [label, revision] of Object.entries(revisions)) {
    const version = await buildVersion(revision, label);
    built.push(version);
    const module = (await import(version.entry)) as { openPageState: typeof openPageState };
    const memcachedAddress = memcached.address;
    states.push(await module.openPageState({ state, comments, backend, database, memcachedAddress, label }));
  }
  const times: [number[], number[]] = [[], []];
  for (let round = 0; round < warmup + rounds; round++) {
    for (const index of round % 2 === 0 ? [0, 1] : [1, 0]) {
      const page = states[index] as AbPageState;
      await page.setup();
      const elapsed = await timeOnce(page.render);
      await page.teardown();
      if (round >= warmup) times[index]?.push(elapsed);
    }
  }
  const [a, b] = times.map((list) => summarize(list));
  const ratio = pairedRatios(times[0], times[1]);
  const ms = (value: number) => `${value.toFixed(3)} ms`;
  process.stdout.write(
    `${state}, N = ${comments}, ${backend}, ${database}, ${rounds} paired rounds\n` +
      `A ${revisions.a}: median ${ms(a?.median ?? Number.NaN)}, p90 ${ms(a?.p90 ?? Number.NaN)}\n` +
      `B ${revisions.b}: median ${ms(b?.median ?? Number.NaN)}, p90 ${ms(b?.p90 ?? Number.NaN)}\n` +
      `B / A: ${ratio.median.toFixed(3)} (median of per-round ratios; middle half ${ratio.low.toFixed(3)}–${ratio.high.toFixed(3)})\n`,
  );
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  for (const page of states) await page.close();
  for (const version of built) version.remove();
  await memcached.stop();
}
// The npm memcached client (in the blog's dependencies) may keep timers alive.
process.exit(process.exitCode ?? 0);
