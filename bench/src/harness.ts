import { type Summary, summarize } from './stats';

/** One contender of a side-by-side measurement. */
export interface Variant {
  /** Its name in tables. */
  readonly name: string;
  /** Untimed: puts the system in the state this variant measures (e.g. a vote, a bump). */
  setup?(): unknown;
  /** Timed: the work measured. */
  run(): unknown;
  /** Untimed: after the sample (e.g. waiting for background writes to land). */
  teardown?(): unknown;
}

/** How long to measure. */
export interface InterleaveOptions {
  /** Rounds run and thrown away first (JIT, connection pools, caches). */
  readonly warmup: number;
  /** Rounds measured, at most. */
  readonly rounds: number;
  /** Stop measuring after this many ms (at least `minRounds` are run). */
  readonly budgetMs?: number;
  /** Rounds measured even past the budget. Default: 5. */
  readonly minRounds?: number;
}

/** The timings of one variant. */
export interface Measured {
  readonly name: string;
  /** One timing per measured round, in ms, in round order (round i of every variant ran side by side). */
  readonly times: number[];
  readonly summary: Summary;
}

const NS_PER_MS = 1_000_000n;

/** Times one call of `run`, in ms, with the monotonic high-resolution clock. */
export async function timeOnce(run: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  const elapsed = process.hrtime.bigint() - start;
  return Number(elapsed / NS_PER_MS) + Number(elapsed % NS_PER_MS) / 1e6;
}

/**
 * Runs every variant once per round, side by side in this process: A, B, C, then
 * B, C, A, … (the starting variant rotates, so none always runs right after the
 * same neighbour's garbage). Warm-up rounds are discarded. Setup and teardown are
 * not timed.
 */
export async function interleave(variants: readonly Variant[], options: InterleaveOptions): Promise<Measured[]> {
  const times = variants.map(() => [] as number[]);
  const minRounds = options.minRounds ?? 5;
  const started = Date.now();
  const total = options.warmup + options.rounds;
  for (let round = 0; round < total; round++) {
    const measured = round - options.warmup;
    if (measured >= minRounds && options.budgetMs !== undefined && Date.now() - started > options.budgetMs) {
      break;
    }
    for (let step = 0; step < variants.length; step++) {
      const index = (round + step) % variants.length;
      const variant = variants[index] as Variant;
      await variant.setup?.();
      const elapsed = await timeOnce(() => variant.run());
      await variant.teardown?.();
      if (measured >= 0) (times[index] as number[]).push(elapsed);
    }
  }
  return variants.map((variant, index) => {
    const list = times[index] as number[];
    return { name: variant.name, times: list, summary: summarize(list) };
  });
}
