import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelFigures } from '../../examples/blog/test/support/browser-less-visitor';
import { mainOf } from './support/blog-instances';
import type { BlogProcess } from './support/fleet/blog-process';
import { type Fleet, startFleet } from './support/fleet/fleet';
import { castLike, warm } from './support/fleet/page-traffic';
import { printFigures, scaled } from './support/scale';
import { sleep, waitUntil } from './support/timing';

// Issue 14: the process that wins the right to render a missed block is SIGKILLed while it
// renders (its article-page loader is slowed by the blog's test-only BLOG_RENDER_DELAY_MS).
// Every other request must still answer within the block deadline plus one render (measured
// as the same burst takes when there is no winner to wait for), and the next request must
// render and store the fragment: a dead winner blocks no one.
const PROCESSES = 4;
const WINNER_DELAY_MS = 5_000;
const REQUESTS_PER_PROCESS = scaled(10, 50);
const KILL_AFTER_MS = 100;
/** For a loaded, shared 2-core machine: a correctness bound, not a performance target. */
const SLACK_MS = 1_500;
const PAGE = '/articles/1';

/** What the run saw. */
interface WinnerKilledRun {
  /** "One render": the slowest answer of the same burst after a like with no winner to wait for (P1 left out). */
  readonly controlMs: number;
  /** The sweeper's round deadline in the fleet's processes. */
  readonly deadlineMs: number;
  /** Whether the winner had started its render (its loader ran) when it was killed. */
  readonly killedMidRender: boolean;
  readonly answers: readonly { readonly process: string; readonly ms: number; readonly correct: boolean }[];
  /** The request after the burst: whether it answered the current page. */
  readonly nextCorrect: boolean;
  /** Block misses in each survivor on the request after that: 0 when the fragment was stored. */
  readonly missesAfter: readonly number[];
}

/** One answer of a burst: who answered, how long it took, whether it was the page as it now is. */
interface BurstAnswer {
  readonly process: string;
  readonly ms: number;
  readonly correct: boolean;
}

/** Sends `REQUESTS_PER_PROCESS` concurrent requests for the page to each of `processes`. */
function burst(processes: readonly BlogProcess[], fresh: string): Promise<BurstAnswer>[] {
  return processes.flatMap((process) =>
    Array.from({ length: REQUESTS_PER_PROCESS }, async () => {
      const startedAt = performance.now();
      const answer = await process.get(PAGE);
      return {
        process: process.name,
        ms: performance.now() - startedAt,
        correct: answer.status === 200 && mainOf(answer.body) === fresh,
      };
    }),
  );
}

async function killWinnerMidRender(fleet: Fleet): Promise<WinnerKilledRun> {
  const [winner, ...others] = fleet.processes;
  const comment = (await fleet.reference.blog.models.Comment.findOne({ where: { articleId: 1 }, raw: true }))!.id;
  // The block's deadline: how long a page waits for the lease winner before rendering itself.
  const { leaseWaitMs, timeoutMs } = (await fleet.stats())[1]!;
  const deadlineMs = leaseWaitMs ?? timeoutMs;
  // The control: the same burst after a like, P1 left out, so nobody has a winner to wait for.
  await warm(others, [PAGE]);
  await castLike(others[0]!, fleet.reference, comment);
  const control = await Promise.all(burst(others, mainOf((await fleet.reference.get(PAGE)).html)));
  const controlMs = Math.max(...control.map((answer) => answer.ms));

  await warm(fleet.processes, [PAGE]);
  await castLike(others[0]!, fleet.reference, comment);
  const loaderCallsBefore = (await winner!.stats()).queries.loaderCalls;
  const winning = winner!.get(PAGE).catch(() => undefined); // it dies before it answers
  let killedMidRender = true;
  await waitUntil(
    'the winner to start rendering',
    async () => (await winner!.stats()).queries.loaderCalls > loaderCallsBefore,
    10_000,
  ).catch(() => {
    killedMidRender = false;
  });
  const fresh = mainOf((await fleet.reference.get(PAGE)).html);
  const answering = burst(others, fresh);
  await sleep(KILL_AFTER_MS);
  if (!winner!.running) killedMidRender = false;
  await winner!.kill();
  const answers = await Promise.all(answering);
  await winning;
  await sleep(300); // the stores after the responses
  const next = await others[0]!.get(PAGE);
  await sleep(300);
  const missesAfter: number[] = [];
  for (const process of others) missesAfter.push(panelFigures((await process.get(PAGE)).body).misses);
  return {
    controlMs,
    deadlineMs,
    killedMidRender,
    answers,
    nextCorrect: next.status === 200 && mainOf(next.body) === fresh,
    missesAfter,
  };
}

describe('the process rendering a missed block is killed mid-render', () => {
  let fleet: Fleet;
  let run: WinnerKilledRun;
  let boundMs: number;

  beforeAll(async () => {
    fleet = await startFleet({
      processes: PROCESSES,
      servers: 2,
      env: (index): Record<string, string> => (index === 0 ? { BLOG_RENDER_DELAY_MS: String(WINNER_DELAY_MS) } : {}),
    });
    run = await killWinnerMidRender(fleet);
    boundMs = run.deadlineMs + run.controlMs + SLACK_MS;
    const slowest = Math.max(...run.answers.map((answer) => answer.ms));
    printFigures(
      'fleet lease winner killed',
      `${PROCESSES} processes, 2 servers; after a vote, P1 (its render slowed by ${WINNER_DELAY_MS} ms) began the page, ` +
        `${REQUESTS_PER_PROCESS} concurrent requests to each other process, P1 SIGKILLed ${KILL_AFTER_MS} ms later ` +
        `(mid-render: ${run.killedMidRender}); ${run.answers.length} answers, slowest ${Math.round(slowest)} ms ` +
        `(bound: deadline ${run.deadlineMs} ms + the same burst without a winner ${Math.round(run.controlMs)} ms + ${SLACK_MS} ms slack), ` +
        `${run.answers.filter((answer) => !answer.correct).length} wrong; the next request ${run.nextCorrect ? 'correct' : 'WRONG'}, ` +
        `then block misses per process ${run.missesAfter.join(' ')}`,
    );
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('kills the winner while it renders (the scenario happened as designed)', () => {
    expect(run.killedMidRender).toBe(true);
  });

  it('answers every other request with the current page', () => {
    expect(run.answers.filter((answer) => !answer.correct)).toEqual([]);
  });

  it('answers every other request within the block deadline plus one render', () => {
    expect(Math.max(...run.answers.map((answer) => answer.ms))).toBeLessThanOrEqual(boundMs);
  });

  it('renders and stores the fragment on the next request: every process then serves it from the cache', () => {
    expect(run.nextCorrect).toBe(true);
    expect(run.missesAfter).toEqual(run.missesAfter.map(() => 0));
  });

  it('records the kill as the only exit of a blog process', () => {
    expect(fleet.crashes()).toEqual([]);
  });
});
