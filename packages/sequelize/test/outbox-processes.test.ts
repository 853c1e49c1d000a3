import { createSweeper, type Sweeper } from '@cachesweeper/core';
import { memcachedBackend } from '@cachesweeper/memcached';
import {
  type FaultMode,
  type FaultProxy,
  type MemcachedProcess,
  startFaultProxy,
  startMemcached,
} from '@cachesweeper/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BlogFixture, openBlog } from './support/blog-fixture';
import { DIALECTS } from './support/databases';
import { counterKey, readCounter, waitUntil } from './support/outbox';
import { startWriter, type WriterProcess, type WriterRequest } from './support/outbox-writer';

/** Generous: the outbox replays within ~0.5 s of a COMMIT; this machine is shared and loaded. */
const VISIBLE_BOUND_MS = 10_000;
const COMMENT = { model: 'Comment', id: 1 } as const;

/** Samples a counter every 10 ms, so each COMMIT can be matched with the first bump after it. */
class CounterWatch {
  readonly #samples: { at: number; value: string | undefined }[] = [];
  #stopped = false;
  readonly #loop: Promise<void>;

  constructor(sweeper: Sweeper) {
    const key = counterKey(sweeper, COMMENT);
    this.#loop = (async () => {
      while (!this.#stopped) {
        const at = Date.now();
        // A read that misses its deadline on this loaded machine is no sample.
        const value = await sweeper.backend.get(key).then(
          (read) => ({ read }),
          () => undefined,
        );
        if (value !== undefined) this.#samples.push({ at, value: value.read });
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
  }

  /** How long after `committedAt` the counter first changed, or `undefined` if it has not yet. */
  visibleAfter(committedAt: number): number | undefined {
    const before = this.#samples.filter((sample) => sample.at <= committedAt).at(-1);
    const changed = this.#samples.find((sample) => sample.at > committedAt && sample.value !== before?.value);
    return changed === undefined ? undefined : changed.at - committedAt;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }
}

describe.each(DIALECTS)('the outbox across processes on %s', (dialect) => {
  let memcached: MemcachedProcess;
  let proxy: FaultProxy | undefined;
  let reader: BlogFixture | undefined;
  let writer: WriterProcess | undefined;
  let watch: CounterWatch | undefined;

  beforeAll(async () => {
    memcached = await startMemcached({ memoryMb: 16 });
  });
  afterAll(() => memcached.stop());
  afterEach(async () => {
    await watch?.stop();
    await writer?.kill();
    await reader?.close();
    await proxy?.close();
    [watch, writer, reader, proxy] = [undefined, undefined, undefined, undefined];
  });

  /** This process: a reader of the shared memcached server whose installation replays the outbox. */
  async function openReader(): Promise<BlogFixture> {
    const sweeper = createSweeper({ backend: memcachedBackend({ servers: [memcached.address] }) });
    reader = await openBlog(dialect, 'outbox_proc', { sweeper, outbox: true });
    await readCounter(reader.sweeper, COMMENT); // a bump leaves a missing counter missing
    watch = new CounterWatch(reader.sweeper);
    return reader;
  }

  /** Waits until every COMMIT of the writer is followed by a bump, and returns how long each took. */
  async function delays(commits: readonly number[]): Promise<number[]> {
    await waitUntil(
      async () => commits.every((at) => watch?.visibleAfter(at) !== undefined),
      VISIBLE_BOUND_MS,
      'a bump after every COMMIT',
    );
    return commits.map((at) => watch?.visibleAfter(at) as number);
  }

  /** Starts a writer process voting for comment 1, on the shared server directly or through a fault proxy in `link` mode. */
  async function startVoter(
    blog: BlogFixture,
    link: 'direct' | FaultMode,
    mode: WriterRequest['mode'],
    votes: number,
  ): Promise<WriterProcess> {
    if (link !== 'direct') proxy = await startFaultProxy(memcached.address, { mode: link });
    const servers = [proxy?.address ?? memcached.address];
    writer = startWriter({ database: blog.db.spec, servers, mode, commentId: 1, votes, intervalMs: 250 });
    return writer;
  }

  it('a vote whose writer was SIGKILLed right after COMMIT is bumped by another process', async () => {
    const blog = await openReader();
    const voter = await startVoter(blog, 'direct', 'die-after-commit', 1);
    expect(await voter.exited).toBe('SIGKILL');
    expect(await blog.models.Vote.count({ where: { commentId: 1 } })).toBe(2);
    expect(voter.commits).toHaveLength(1);
    const [took] = await delays(voter.commits);
    console.log(`[outbox ${dialect}] killed after COMMIT: visible ${took} ms after it, through another process`);
    expect(took).toBeLessThan(VISIBLE_BOUND_MS);
    await waitUntil(async () => (await blog.installation.outbox!.pending()) === 0, VISIBLE_BOUND_MS, 'the ack');
  }, 60_000);

  it('every vote of a writer whose link to the server drops connections is bumped by another process', async () => {
    const voter = await startVoter(await openReader(), 'drop', 'vote', 5);
    await voter.done;
    const took = await delays(voter.commits);
    console.log(`[outbox ${dialect}] writer cut off (drop): votes visible after ${took.join(', ')} ms`);
    expect(voter.commits).toHaveLength(5);
    expect(Math.max(...took)).toBeLessThan(VISIBLE_BOUND_MS);
  }, 60_000);

  it('a vote whose writer was killed after its bump hung on a stalled link is bumped by another process', async () => {
    const voter = await startVoter(await openReader(), 'stall', 'vote', 1);
    await voter.done;
    expect(await voter.kill()).toBe('SIGKILL');
    const [took] = await delays(voter.commits);
    console.log(`[outbox ${dialect}] writer stalled, then killed: vote visible ${took} ms after its COMMIT`);
    expect(took).toBeLessThan(VISIBLE_BOUND_MS);
  }, 60_000);
});
