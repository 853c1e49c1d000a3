/** A vote the writer cast, and what a page must show once it is visible. */
export interface CastVote {
  readonly comment: number;
  /** Likes the comment has once this vote counts. */
  readonly likes: number;
  /** When the POST's answer arrived (the vote's transaction had committed, and its invalidation had been tried). */
  readonly committedAt: number;
}

/** One page read by one process. */
export interface PageRead {
  readonly reader: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status: number;
  /** Likes shown per comment of interest (NaN when the page did not show the comment). */
  readonly likes: ReadonlyMap<number, number>;
}

/** Whether `read` shows `vote`: its comment with at least the vote's like count. */
export function shows(read: PageRead, vote: CastVote): boolean {
  return read.status === 200 && (read.likes.get(vote.comment) ?? Number.NaN) >= vote.likes;
}

/**
 * How long after its commit `vote` became visible to `reader`, for good: from the
 * commit to the start of the first read after which every read of that reader shows
 * it. `Infinity` when its last read still did not; `undefined` when it read nothing
 * after the commit.
 */
export function visibilityLatency(vote: CastVote, reads: readonly PageRead[], reader: string): number | undefined {
  const after = reads.filter((read) => read.reader === reader && read.startedAt >= vote.committedAt);
  if (after.length === 0) return undefined;
  let firstOfTheRun: PageRead | undefined;
  for (const read of after) {
    if (!shows(read, vote)) firstOfTheRun = undefined;
    else firstOfTheRun ??= read;
  }
  return firstOfTheRun ? firstOfTheRun.startedAt - vote.committedAt : Number.POSITIVE_INFINITY;
}

/** Reads started at least `boundMs` after some vote's commit that do not show it: stale reads past the bound. */
export function staleReads(votes: readonly CastVote[], reads: readonly PageRead[], boundMs: number): PageRead[] {
  return reads.filter((read) =>
    votes.some((vote) => read.startedAt >= vote.committedAt + boundMs && read.status === 200 && !shows(read, vote)),
  );
}

/** The nearest-rank percentile `p` (0–100) of `values`; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A latency for the figures: `412 ms`, `never` (Infinity) or `–` (none). */
export function formatMs(value: number): string {
  if (Number.isNaN(value)) return '–';
  return Number.isFinite(value) ? `${Math.round(value)} ms` : 'never';
}

/** Every (vote, reader) visibility latency, skipping readers that read nothing after a vote. */
export function latenciesOf(
  votes: readonly CastVote[],
  reads: readonly PageRead[],
  readers: readonly string[],
): number[] {
  return votes.flatMap((vote) =>
    readers.flatMap((reader) => {
      const latency = visibilityLatency(vote, reads, reader);
      return latency === undefined ? [] : [latency];
    }),
  );
}

/** `p50 120 ms, p100 980 ms` of some latencies. */
export function describeLatencies(latencies: readonly number[]): string {
  return `p50 ${formatMs(percentile(latencies, 50))}, p100 ${formatMs(percentile(latencies, 100))}`;
}
