/** Summary of one variant's timings, in milliseconds. */
export interface Summary {
  /** Samples taken (after warm-up). */
  readonly samples: number;
  /** The median. */
  readonly median: number;
  /** The 90th percentile. */
  readonly p90: number;
  /** The fastest sample. */
  readonly min: number;
}

/** The `q`-quantile (0..1) of sorted values, by linear interpolation between closest ranks. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + (high - low) * (position - below);
}

/** Median, p90 and minimum of a list of timings. */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    min: sorted[0] ?? Number.NaN,
  };
}

/** How many times faster `variant` is than `baseline`, by medians (> 1 = faster). */
export function speedup(baseline: Summary, variant: Summary): number {
  return baseline.median / variant.median;
}

/** The median of per-round ratios baseline/variant: robust to drifts that hit both sides of a round alike. */
export function pairedSpeedup(baseline: readonly number[], variant: readonly number[]): number {
  const ratios: number[] = [];
  for (let index = 0; index < Math.min(baseline.length, variant.length); index++) {
    ratios.push((baseline[index] as number) / (variant[index] as number));
  }
  return quantile(
    ratios.sort((a, b) => a - b),
    0.5,
  );
}
