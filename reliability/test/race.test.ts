import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from './support/blog-workload';
import {
  bumpOnlyTheContentsOfANewCommentsArticle,
  forgetTheArticleAMovedCommentLeft,
  invalidateVotesBeforeCommit,
  recordNoRowOfAContentsBump,
} from './support/naive-invalidation';
import { raceInChildProcess } from './support/race-process';
import { type RaceOptions, type RaceOutcome, runRace, sharedMemory } from './support/race-run';
import { printFigures, scaled } from './support/scale';

const OPERATION_COUNT = scaled(6_000, 100_000);
const WORKERS = 24;
// Enough articles and comments that few writes touch each page between two checkpoints (a
// later write would invalidate, and hide, a stale fragment), few enough that each page is
// rendered often while writes to it commit.
const SEED = { articles: 6, commentsPerArticle: 14, firstArticleComments: 20, maxVotesPerComment: 4 };
const CHECK_EVERY = 250;

function describeOutcome(outcome: RaceOutcome): string {
  const renders = (outcome.kinds['render article'] ?? 0) + (outcome.kinds['render index'] ?? 0);
  const { ledger } = outcome;
  return (
    `${outcome.operations} ops (${renders} renders, ${outcome.operations - renders} writes: ` +
    `${ledger.committed} transactions committed, ${ledger.rolledBack} rolled back), ${WORKERS} workers, ` +
    `${outcome.checkpoints} checkpoints, ${outcome.pages.checked} renders checked ` +
    `(${outcome.pages.wholeHits} wholly from cache), ${outcome.pages.stale.length} stale, ` +
    `${outcome.early.length} early invalidations (${ledger.afterCommit} counter writes after commit, ` +
    `${ledger.outsideTransactions} outside transactions: autocommit writes and counters created by reads), ` +
    `${outcome.failedRenders} failed renders, ${outcome.kept} blocks kept from a page's last copy, ` +
    `${outcome.cacheErrors} cache errors, ${outcome.seconds} s`
  );
}

/** The races: each backend with the blog's default rules (WITHIN=on: comments within their article), then with WITHIN=off. */
const RUNS = [
  { label: 'memcached', backend: 'memcached', within: true },
  { label: 'memory', backend: 'memory', within: true },
  { label: 'memcached, WITHIN=off', backend: 'memcached', within: false },
  { label: 'memory, WITHIN=off', backend: 'memory', within: false },
] as const;
const outcomes = new Map<string, RaceOutcome>();

// Two races at once, each in a process of its own: one core each.
beforeAll(async () => {
  for (let first = 0; first < RUNS.length; first += 2) {
    const pair = RUNS.slice(first, first + 2);
    const runs = await Promise.all(
      pair.map(({ backend, within }) =>
        // The memory backend is an LRU of 300 entries, fewer than the pages' fragments and
        // counters: counters get evicted during the run (contents counters too, with WITHIN=on).
        raceInChildProcess({
          backend,
          within,
          memoryEntries: 300,
          total: OPERATION_COUNT,
          workers: WORKERS,
          checkEvery: CHECK_EVERY,
          seed: SEED,
        }),
      ),
    );
    pair.forEach(({ label }, index) => {
      outcomes.set(label, runs[index]!);
      printFigures(`race (${label})`, describeOutcome(runs[index]!));
    });
  }
});
afterAll(() => {
  for (const [label, outcome] of outcomes) {
    console.log(`${label}: operations by kind`, outcome.kinds, 'aborted by SQLite:', outcome.abortedWrites);
  }
});

describe.each(RUNS.map(({ label }) => label))(
  'the blog on SQLite and %s, raced by concurrent renders and writes',
  (label) => {
    const outcome = () => outcomes.get(label)!;

    it('serves every page, after quiescence, exactly as a fresh uncached render (0 stale pages)', () => {
      expect(outcome().pages.stale).toEqual([]);
    });

    it('sends no invalidation before its transaction committed', () => {
      expect(outcome().early).toEqual([]);
    });

    it('fails no render and meets no unexpected error', () => {
      const failures = {
        failedRenders: outcome().failedRenders + outcome().pages.failed,
        errors: outcome().unexpectedErrors,
      };
      expect(failures).toEqual({ failedRenders: 0, errors: [] });
    });
  },
);

/**
 * A control: the race with a broken invalidation (`tamper`) on a small workload of renders
 * and one kind of write, over many pages with few writes between checkpoints (a later write
 * to a page would invalidate, and hide, its stale copy), unless `options` sizes it otherwise.
 * Returns the outcome, once run.
 */
function controlRace(
  figures: string,
  options: Pick<RaceOptions, 'mix' | 'tamper'> & Partial<Pick<RaceOptions, 'within' | 'total' | 'checkEvery' | 'seed'>>,
) {
  let outcome: RaceOutcome | undefined;
  beforeAll(async () => {
    outcome = await runRace({
      cache: sharedMemory(10_000),
      total: 1_000,
      workers: WORKERS,
      checkEvery: 100,
      seed: { articles: 8, commentsPerArticle: 6, firstArticleComments: 6, maxVotesPerComment: 2 },
      ...options,
    });
    printFigures(`race control (${figures})`, describeOutcome(outcome));
  });
  return () => outcome as RaceOutcome;
}

/**
 * The controls: each breaks the invalidation one way and must be caught serving stale pages
 * (and, where it invalidates before COMMIT, caught doing so), or the races above prove nothing.
 */
const CONTROLS: readonly {
  readonly title: string;
  readonly figures: string;
  readonly options: Parameters<typeof controlRace>[1];
  /** Whether it invalidates before its transaction committed. */
  readonly early?: boolean;
}[] = [
  {
    title: 'votes invalidated inside their transaction, before COMMIT (django-cache-sweeper)',
    figures: 'invalidate before commit',
    options: {
      total: 2_000,
      checkEvery: 200,
      mix: [
        [70, OPERATIONS.renderArticle],
        [30, OPERATIONS.vote],
      ],
      tamper: invalidateVotesBeforeCommit,
      seed: { articles: 2, commentsPerArticle: 30, firstArticleComments: 30, maxVotesPerComment: 3 },
    },
    early: true,
  },
  {
    title: 'a moved comment invalidates only its new article',
    figures: 'moved comment, old article not invalidated',
    options: {
      mix: [
        [95, OPERATIONS.renderArticle],
        [5, OPERATIONS.moveComment],
      ],
      tamper: forgetTheArticleAMovedCommentLeft,
    },
  },
  {
    // A vote in between would not hide it: a vote keeps the article page's key.
    title: '(WITHIN=on) a new comment bumps only its article’s contents counter',
    figures: 'WITHIN=on, new comment, article counter not bumped',
    options: {
      within: true,
      mix: [
        [95, OPERATIONS.renderArticle],
        [5, OPERATIONS.addComment],
      ],
      tamper: bumpOnlyTheContentsOfANewCommentsArticle,
    },
  },
  {
    // Pages after a vote keep the comments the records do not name from the page's outdated copy.
    title: '(WITHIN=on) the records of contents bumps name no row that changed',
    figures: 'WITHIN=on, votes, records name no row',
    options: {
      within: true,
      mix: [
        [90, OPERATIONS.renderArticle],
        [10, OPERATIONS.vote],
      ],
      tamper: recordNoRowOfAContentsBump,
    },
  },
];

describe.each(CONTROLS.map((control) => [control.title, control] as const))('the control: %s', (_title, control) => {
  const { figures, options, early } = control;
  const outcome = controlRace(figures, options);

  it('is caught serving stale pages', () => {
    expect(outcome().pages.stale.length).toBeGreaterThan(0);
  });

  if (early === true) {
    it('is caught invalidating before commit', () => {
      expect(outcome().early.length).toBeGreaterThan(0);
    });
  }
});
