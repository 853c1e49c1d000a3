import { appendFileSync } from 'node:fs';

/** `full` under `pnpm test:reliability` (RELIABILITY_SCALE=full); `bounded` in CI and plain `vitest run`. */
export const SCALE: 'bounded' | 'full' = process.env.RELIABILITY_SCALE === 'full' ? 'full' : 'bounded';

/** The bounded or the full figure, by the scale in force. */
export function scaled<T>(bounded: T, full: T): T {
  return SCALE === 'full' ? full : bounded;
}

/**
 * Prints a test's one line of figures (`[reliability] race: …`), and appends it to
 * `$RELIABILITY_FIGURES` when set, so a run's figures can be quoted in the README.
 */
export function printFigures(test: string, figures: string): void {
  const line = `[reliability] ${test}: ${figures}`;
  console.log(line);
  const file = process.env.RELIABILITY_FIGURES;
  if (file) appendFileSync(file, `${line}\n`);
}

/** Seconds since `startedAt` (a `performance.now()`), for the figures. */
export function secondsSince(startedAt: number): string {
  return `${Math.round((performance.now() - startedAt) / 1000)} s`;
}
