import { quantile } from '../stats';

/** The spread of per-round ratios `b[i] / a[i]`: their median and middle half. */
export interface PairedRatios {
  readonly median: number;
  /** The 25th percentile. */
  readonly low: number;
  /** The 75th percentile. */
  readonly high: number;
}

/** Per-round ratios of two timings taken side by side (`a[i]` and `b[i]` in the same round). */
export function pairedRatios(a: readonly number[], b: readonly number[]): PairedRatios {
  if (a.length !== b.length || a.length === 0) {
    throw new Error(
      `[cachesweeper] [bench ab] paired timings need the same number of rounds, got ${a.length} and ${b.length}`,
    );
  }
  const ratios = a.map((value, index) => (b[index] as number) / value).sort((x, y) => x - y);
  return { median: quantile(ratios, 0.5), low: quantile(ratios, 0.25), high: quantile(ratios, 0.75) };
}
