import { CacheSweeperError } from '@cachesweeper/core';
import type { DatabaseName } from '../databases';
import type { Measured } from '../harness';
import { type FloorAtN, floorVariant } from '../scenarios/floor';
import { type PageStateId, type PageStatesAtN, type StateCensus, variantName } from '../scenarios/page-states';
import { pairedSpeedup } from '../stats';

/** The N most targets are stated at. */
export const TARGET_N = 100;

/** The measurement named `name`. */
export function measuredOf(measured: readonly Measured[], name: string): Measured {
  const found = measured.find((entry) => entry.name === name);
  if (found === undefined) throw new CacheSweeperError('bench', `no measurement named "${name}" in this run`);
  return found;
}

/** The median time of a page state on one database. */
export function medianOf(page: PageStatesAtN, database: DatabaseName, id: PageStateId): number {
  return measuredOf(page.measured, variantName(database, id)).summary.median;
}

/** The median time of the floor comparison's real page (`page`) or bare socket (`floor`) on one database. */
export function floorMedian(entry: FloorAtN, database: DatabaseName, what: 'page' | 'floor'): number {
  return measuredOf(entry.measured, floorVariant(database, what)).summary.median;
}

/** The floor comparison the targets quote: at `TARGET_N`, else at the largest N measured. */
export function floorAtTarget(floors: readonly FloorAtN[]): FloorAtN | undefined {
  return floors.find((entry) => entry.n === TARGET_N) ?? floors.at(-1);
}

/** How many times faster `id` is than `baseline` on one database at one N: the ratio of medians. */
export function speedupOf(page: PageStatesAtN, database: DatabaseName, baseline: PageStateId, id: PageStateId): number {
  return medianOf(page, database, baseline) / medianOf(page, database, id);
}

/** The same, as the median of per-round ratios (the pairs ran side by side). */
export function pairedSpeedupOf(
  page: PageStatesAtN,
  database: DatabaseName,
  baseline: PageStateId,
  id: PageStateId,
): number {
  const times = (state: PageStateId) => measuredOf(page.measured, variantName(database, state)).times;
  return pairedSpeedup(times(baseline), times(id));
}

/** The census row of a state on one database, if it was taken. */
export function censusOf(page: PageStatesAtN, database: DatabaseName, id: PageStateId): StateCensus | undefined {
  return page.census.find((row) => row.database === database && row.id === id);
}

/** The page comparison at `n`, or at the largest N of the run when `n` was not measured. */
export function pageAt(pages: readonly PageStatesAtN[], n: number): PageStatesAtN | undefined {
  return pages.find((entry) => entry.n === n) ?? pages.at(-1);
}

/** A ratio: `70×`, `8.2×`, `0.54×`; `–` when it cannot be computed. */
export function times(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return `${value.toFixed(value >= 100 ? 0 : value >= 1 ? 1 : 2)}×`;
}

/** Milliseconds, with sensible precision. */
export function fmtMs(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

/** A signed percentage. */
export function pct(value: number): string {
  return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
}
