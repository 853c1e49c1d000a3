/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A whole number in [0, below). */
export function randomBelow(below: number, random: () => number = Math.random): number {
  return Math.floor(random() * below);
}

/** One element of a non-empty list, at random. */
export function pick<T>(items: readonly T[], random: () => number = Math.random): T {
  if (items.length === 0) throw new Error('pick: empty list');
  return items[randomBelow(items.length, random)]!;
}

/** Polls `check` every 20 ms until it holds; throws after `timeoutMs`, naming `what`. */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await sleep(20);
  }
}
