import { likesOf } from '../../../../examples/blog/test/support/browser-less-visitor';
import type { BlogInstance } from '../blog-instances';
import { sleep } from '../timing';
import type { BlogProcess } from './blog-process';
import type { CastVote, PageRead } from './visibility';

/** A loop reading one page again and again in one process, until stopped. */
export interface ReadLoop {
  /** Stops after the read in flight; resolves with every read. */
  stop(): Promise<PageRead[]>;
}

/**
 * Reads `path` in `process` back to back, recording for each read when it started and
 * ended, its status (0 when the request failed) and the likes it shows for `comments`.
 */
export function readContinuously(process: BlogProcess, path: string, comments: readonly number[]): ReadLoop {
  const reads: PageRead[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const startedAt = performance.now();
      let status = 0;
      let html = '';
      try {
        ({ status, body: html } = await process.get(path));
      } catch {
        await sleep(20); // a process that is down: do not spin
      }
      const likes = new Map(comments.map((comment) => [comment, status === 200 ? likesOf(html, comment) : Number.NaN]));
      reads.push({ reader: process.name, startedAt, endedAt: performance.now(), status, likes });
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return reads;
    },
  };
}

/** The likes a comment has in the database. */
export function likesInDatabase(reference: BlogInstance, comment: number): Promise<number> {
  return reference.blog.models.Vote.count({ where: { commentId: comment, value: 1 } });
}

/**
 * Likes `comment` through `process`'s own POST route, as a visitor's form would, and
 * returns the vote as the visibility figures need it. Throws unless the blog answered
 * with its redirect (303).
 */
export async function castLike(process: BlogProcess, reference: BlogInstance, comment: number): Promise<CastVote> {
  const answer = await process.post(`/comments/${comment}/like`, {});
  const committedAt = performance.now();
  if (answer.status !== 303) {
    throw new Error(
      `${process.name} answered a like of comment ${comment} with ${answer.status}: ${answer.body.slice(0, 300)}`,
    );
  }
  return { comment, likes: await likesInDatabase(reference, comment), committedAt };
}

/** Runs `act` every `intervalMs` (the next one starts on time, or as soon as the last one ended) until `durationMs` passed. */
export async function every(
  intervalMs: number,
  durationMs: number,
  act: (tick: number) => Promise<void>,
): Promise<void> {
  const startedAt = performance.now();
  for (let tick = 0; performance.now() - startedAt < durationMs; tick++) {
    await act(tick);
    const next = startedAt + (tick + 1) * intervalMs;
    await sleep(Math.max(0, next - performance.now()));
  }
}

/** Reads each path `rounds` times in every running process, waiting each time for the stores that follow the responses. */
export async function warm(processes: readonly BlogProcess[], paths: readonly string[], rounds = 2): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      processes
        .filter((process) => process.running)
        .map(async (process) => {
          for (const path of paths) await process.get(path);
        }),
    );
    await sleep(300);
  }
}

/** What `serveTraffic` did. */
export interface TrafficFigures {
  reads: number;
  /** Reads that did not answer 200 (or failed to answer). */
  failedReads: string[];
  votes: number;
}

/**
 * Every process serves pages, one reader per process reading `paths` at random with
 * `pauseMs` between reads, while a visitor likes a random comment of `comments` through a
 * random process every `voteEveryMs`, for `durationMs`. The pause keeps the load steady
 * rather than a flood: on a small shared machine, back-to-back reads in every process
 * starve the event loops and rounds miss their deadlines whatever the links do.
 */
export async function serveTraffic(
  processes: readonly BlogProcess[],
  reference: BlogInstance,
  options: {
    paths: readonly string[];
    comments: readonly number[];
    voteEveryMs: number;
    durationMs: number;
    pauseMs: number;
  },
): Promise<TrafficFigures> {
  const figures: TrafficFigures = { reads: 0, failedReads: [], votes: 0 };
  const endsAt = performance.now() + options.durationMs;
  const readers = processes.map(async (process) => {
    while (performance.now() < endsAt) {
      const path = options.paths[Math.floor(Math.random() * options.paths.length)]!;
      figures.reads += 1;
      try {
        const { status } = await process.get(path);
        if (status !== 200) figures.failedReads.push(`${process.name} ${path}: ${status}`);
      } catch (error) {
        figures.failedReads.push((error as Error).message);
      }
      await sleep(options.pauseMs);
    }
  });
  const voter = every(options.voteEveryMs, options.durationMs, async () => {
    const process = processes[Math.floor(Math.random() * processes.length)]!;
    await castLike(process, reference, options.comments[Math.floor(Math.random() * options.comments.length)]!);
    figures.votes += 1;
  });
  await Promise.all([...readers, voter]);
  return figures;
}
