import type { InterleaveOptions } from './harness';

/** How much to measure: the full run of `pnpm bench`, or a tiny one that proves the harness works. */
export interface BenchScale {
  readonly name: 'full' | 'smoke';
  /** Comments on the article page (N). */
  readonly sizes: readonly number[];
  /** Rounds of the page comparisons at a given N, both databases in each round (fewer at large N: the naive page runs 2N + 2 queries). */
  pageRounds(n: number): InterleaveOptions;
  /** Rounds of the floor comparison at a given N. */
  floorRounds(n: number): InterleaveOptions;
  /** Rounds of the save comparison. */
  readonly saveRounds: InterleaveOptions;
  /** Rounds of the outbox's own comparison: its installer against the same rules without it, two contenders alone. */
  readonly outboxPairRounds: InterleaveOptions;
  /** Rounds of the key-copies comparison (two memcached servers, N = 100). */
  readonly keyCopiesRounds: InterleaveOptions;
  /** Saves per contender in the untimed census of the save comparison. */
  readonly saveCensus: number;
  /**
   * The HTTP comparison: N, alternating runs per contender, seconds per run and per warm-up run (0: none),
   * connections; and a larger N, where the page's size tells (the naive app left out: 2N queries a page).
   */
  readonly http: {
    readonly n: number;
    readonly largeN: number;
    readonly runs: number;
    readonly seconds: number;
    readonly warmupSeconds: number;
    readonly connections: number;
  };
  /** Break-even: page shapes (fragments per page, the render costs tried as items per fragment), rounds. */
  readonly breakEven: {
    readonly shapes: readonly { readonly fragments: number; readonly items: readonly number[] }[];
    readonly rounds: InterleaveOptions;
  };
}

/** `pnpm bench`: about 6 minutes on a 2-core machine (time budgets bound each comparison). */
export const FULL_SCALE: BenchScale = {
  name: 'full',
  sizes: [10, 100, 1000],
  pageRounds: (n) =>
    n >= 1000
      ? { warmup: 2, rounds: 30, budgetMs: 90_000 }
      : n >= 100
        ? { warmup: 5, rounds: 150, budgetMs: 40_000 }
        : { warmup: 20, rounds: 400, budgetMs: 25_000 },
  floorRounds: (n) =>
    n >= 1000 ? { warmup: 20, rounds: 300, budgetMs: 15_000 } : { warmup: 50, rounds: 1000, budgetMs: 15_000 },
  saveRounds: { warmup: 20, rounds: 600, budgetMs: 40_000 },
  outboxPairRounds: { warmup: 50, rounds: 2000, budgetMs: 12_000 },
  keyCopiesRounds: { warmup: 10, rounds: 300, budgetMs: 20_000 },
  saveCensus: 10,
  http: { n: 100, largeN: 1000, runs: 3, seconds: 8, warmupSeconds: 1, connections: 10 },
  breakEven: {
    shapes: [
      { fragments: 100, items: [0, 1, 2, 4, 8, 16, 32, 64, 128] },
      { fragments: 1, items: [0, 4, 16, 64, 256, 1024, 4096] },
    ],
    rounds: { warmup: 10, rounds: 150, budgetMs: 4_000 },
  },
};

/** The smoke test's scale: every scenario runs, nothing is worth quoting. */
export const SMOKE_SCALE: BenchScale = {
  name: 'smoke',
  sizes: [2, 3],
  pageRounds: () => ({ warmup: 1, rounds: 2, minRounds: 1 }),
  floorRounds: () => ({ warmup: 1, rounds: 2, minRounds: 1 }),
  saveRounds: { warmup: 1, rounds: 2, minRounds: 1 },
  outboxPairRounds: { warmup: 1, rounds: 2, minRounds: 1 },
  keyCopiesRounds: { warmup: 1, rounds: 2, minRounds: 1 },
  saveCensus: 2,
  http: { n: 3, largeN: 5, runs: 1, seconds: 0.5, warmupSeconds: 0, connections: 2 },
  breakEven: { shapes: [{ fragments: 3, items: [0, 4] }], rounds: { warmup: 1, rounds: 2, minRounds: 1 } },
};
