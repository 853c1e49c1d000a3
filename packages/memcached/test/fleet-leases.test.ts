import {
  type CacheBackend,
  createStats,
  createSweeper,
  type LeaseAnswer,
  type LeaseRead,
  type Sweeper,
  type SweeperStats,
} from '@cachesweeper/core';
import { describe, expect, it } from 'vitest';
import { memcachedBackend } from '../src';
import { serverForSweepers, sleep } from './helpers';

// Several sweepers, each on a backend of its own (its own connections and server
// health), stand for the processes of a fleet sharing one memcached: what the fleet-wide
// leases promise, with the real server. The wait is generous where the test is about
// who renders, so that a loaded machine cannot turn a wait into a second render.

const memcached = serverForSweepers('lease');

/** `count` processes on one namespace; `spy` sees every leased read they send, and its answers. */
function fleet(
  count: number,
  options: {
    waitMs?: number;
    leases?: false;
    spy?: (reads: readonly LeaseRead[], answers: readonly LeaseAnswer[]) => void;
  } = {},
): Sweeper[] {
  const namespace = memcached.namespace();
  return Array.from({ length: count }, () => {
    let backend: CacheBackend = memcachedBackend({ servers: memcached.address(), timeoutMs: 1000 });
    const leases = backend.leases;
    if (options.spy && leases) {
      const spy = options.spy;
      const read = async (reads: readonly LeaseRead[], ttl: number) => {
        const answers = await leases.read(reads, ttl);
        spy(reads, answers);
        return answers;
      };
      backend = { ...backend, leases: { ...leases, read } };
    }
    const sweeper = createSweeper({
      backend,
      namespace,
      timeoutMs: 1000,
      leases: options.leases ?? { waitMs: options.waitMs ?? 5000 },
    });
    return memcached.track(sweeper);
  });
}

const ARTICLE = { model: 'Article', id: 1 };
const COMMENT = { model: 'Comment', id: 1 };

/** What the pages of a test render from, and how often each block was rendered. */
interface Story {
  comment: string;
  renders: { page: number; comment: number };
}

/**
 * The article page through the session protocol: the page block around one comment
 * block, each rendered (slowly, `renderMs`) only when it missed, with the comment
 * recorded as nested in the page.
 */
async function articlePage(sweeper: Sweeper, story: Story, renderMs: number, stats?: SweeperStats): Promise<string> {
  // The comment as the database has it when the page begins.
  const text = story.comment;
  const session = sweeper.session(stats ? { stats } : {});
  const [slot] = await session.lookup([sweeper.plan({ target: ARTICLE, ttlSeconds: 600, parts: ['page'] })]);
  if (slot === undefined) throw new Error('no slot');
  if (slot.html !== undefined) return slot.html;
  let claim = session.claim(slot);
  if (claim.role === 'wait') {
    const html = await claim.rendering;
    if (html !== undefined) return html;
    claim = session.claimAfterWait(slot);
  }
  story.renders.page += 1;
  await sleep(renderMs);
  const [child] = await session.lookup([sweeper.plan({ target: COMMENT, ttlSeconds: 600, parts: ['comment'] })]);
  if (child === undefined) throw new Error('no child slot');
  let commentHtml = child.html;
  if (commentHtml === undefined) {
    const inner = session.claim(child, slot);
    if (inner.role !== 'render') throw new Error('a block rendered inside another never waits');
    story.renders.comment += 1;
    commentHtml = `<li>${text}</li>`;
    inner.complete(commentHtml, []);
  }
  const html = `<article>${commentHtml}</article>`;
  claim.complete(html, [child]);
  return html;
}

/** The pages of `concurrency` visitors in each process, all at once. */
function burst(processes: readonly Sweeper[], concurrency: number, page: (sweeper: Sweeper) => Promise<string>) {
  return Promise.all(processes.flatMap((sweeper) => Array.from({ length: concurrency }, () => page(sweeper))));
}

function total(all: readonly SweeperStats[], name: keyof SweeperStats): number {
  return all.reduce((sum, stats) => sum + stats[name], 0);
}

describe('fleet-wide leases on a real memcached', () => {
  it('renders a fragment four processes miss at once one time: the other three wait for it and serve its HTML', async () => {
    const processes = fleet(4);
    let renders = 0;
    const html = await burst(processes, 1, (sweeper) =>
      sweeper.fragment(COMMENT, 600, ['once'], async () => {
        renders += 1;
        await sleep(80);
        return '<li>rendered once</li>';
      }),
    );
    expect(html).toEqual(Array(4).fill('<li>rendered once</li>'));
    expect(renders).toBe(1);
    const stats = processes.map((sweeper) => sweeper.stats());
    expect(total(stats, 'leaseWaits')).toBe(3);
    expect(total(stats, 'leaseTimeouts')).toBe(0);
  });

  it('after a vote, renders the page around the voted comment once for 4 processes × 10 pages, and serves no page stale', async () => {
    const processes = fleet(4);
    const story: Story = { comment: 'before the vote', renders: { page: 0, comment: 0 } };
    await articlePage(processes[0]!, story, 0);
    await processes[0]!.idle();
    story.comment = 'after the vote';
    await processes[1]!.invalidate(COMMENT);
    story.renders = { page: 0, comment: 0 };
    const pages = await burst(processes, 10, (sweeper) => articlePage(sweeper, story, 60));
    expect(new Set(pages)).toEqual(new Set(['<article><li>after the vote</li></article>']));
    expect(story.renders).toEqual({ page: 1, comment: 1 });
  });

  it('hands the lease of a render that failed to a waiting process at once, long before the wait would end', async () => {
    const [holder, ...waiters] = fleet(3, { waitMs: 5000 });
    const failing = holder!
      .fragment(COMMENT, 600, ['fails'], async () => {
        await sleep(150);
        throw new Error('the render failed');
      })
      .catch((error: Error) => error.message);
    await sleep(40); // the holder takes the lease first
    const started = performance.now();
    let renders = 0;
    const html = await burst(waiters, 1, (sweeper) =>
      sweeper.fragment(COMMENT, 600, ['fails'], async () => {
        renders += 1;
        return '<li>rendered by a waiter</li>';
      }),
    );
    expect(await failing).toBe('the render failed');
    expect(html).toEqual(['<li>rendered by a waiter</li>', '<li>rendered by a waiter</li>']);
    expect(renders).toBe(1);
    expect(performance.now() - started).toBeLessThan(2500); // the 5 s wait did not run out
  });

  it('blocks nobody past the wait when the holder never finishes (a killed process): the others render, store, and the next page hits', async () => {
    const [holder, ...others] = fleet(4, { waitMs: 300 });
    let finish: () => void = () => {};
    const stuck = holder!.fragment(
      COMMENT,
      600,
      ['stuck'],
      () => new Promise<string>((resolve) => (finish = () => resolve('<li>too late</li>'))),
    );
    await sleep(40);
    const started = performance.now();
    const stats = others.map(() => createStats());
    const html = await Promise.all(
      others.map((sweeper, index) =>
        sweeper.fragment(COMMENT, 600, ['stuck'], async () => '<li>rendered after the wait</li>', {
          session: sweeper.session({ stats: stats[index] }),
        }),
      ),
    );
    expect(html).toEqual(Array(3).fill('<li>rendered after the wait</li>'));
    expect(performance.now() - started).toBeLessThan(300 + 2000);
    // Each waited for the holder; the first whose wait ran out rendered and stored, and one whose wait
    // had not run out yet may have found that copy (deadlines count idle time, so on a loaded machine
    // the three waits end a little apart): none is blocked past its wait, and no copy is rendered twice
    // while one is there to be found.
    expect(total(stats, 'leaseWaits')).toBe(3);
    expect(total(stats, 'leaseTimeouts')).toBeGreaterThanOrEqual(1);
    expect(total(stats, 'renders')).toBe(total(stats, 'leaseTimeouts'));
    await Promise.all(others.map((sweeper) => sweeper.idle()));
    const next = createStats();
    const again = await others[0]!.fragment(COMMENT, 600, ['stuck'], async () => 'not this', {
      session: others[0]!.session({ stats: next }),
    });
    expect(again).toBe('<li>rendered after the wait</li>');
    expect(next).toMatchObject({ hits: 1, renders: 0 });
    finish();
    await stuck;
  });

  it('never serves, while it waits, a rendering that nests another token than the page read', async () => {
    const [writer, holderProcess, waiterProcess] = fleet(3, { waitMs: 5000 });
    const story: Story = { comment: 'v1', renders: { page: 0, comment: 0 } };
    await articlePage(writer!, story, 0);
    await writer!.idle();
    story.comment = 'v2';
    await writer!.invalidate(COMMENT);
    // The holder reads v2's token and renders slowly; a second vote lands; the waiter reads v3's token.
    const holding = articlePage(holderProcess!, story, 300);
    await sleep(100);
    story.comment = 'v3';
    await writer!.invalidate(COMMENT);
    story.renders = { page: 0, comment: 0 };
    const waiting = articlePage(waiterProcess!, story, 0);
    expect(await holding).toBe('<article><li>v2</li></article>');
    expect(await waiting).toBe('<article><li>v3</li></article>');
    expect(story.renders.page).toBe(1); // the waiter's own, after the holder's rendering did not hold for it
  });

  it('reads a fully cached page in one round and asks for no lease in it', async () => {
    const reads: (readonly LeaseRead[])[] = [];
    const [sweeper] = fleet(1, { spy: (batch) => reads.push(batch) });
    const story: Story = { comment: 'warm', renders: { page: 0, comment: 0 } };
    await articlePage(sweeper!, story, 0);
    await sweeper!.idle();
    await articlePage(sweeper!, story, 0); // hints learnt: the next page reads ahead
    reads.length = 0;
    const stats = createStats();
    expect(await articlePage(sweeper!, story, 0, stats)).toBe('<article><li>warm</li></article>');
    expect(stats).toMatchObject({ hits: 1, roundTrips: 1 });
    expect(reads.flat().filter((read) => read.lease !== undefined)).toEqual([]);
  });

  it('replaces, after each vote, the page it stored itself by the stamp its store answered: the lease is won, no stale page read back', async () => {
    const pageReads: { lease: LeaseRead['lease']; answer: LeaseAnswer['kind'] }[] = [];
    const [sweeper] = fleet(1, {
      spy: (reads, answers) =>
        reads.forEach((read, index) => {
          const answer = answers[index];
          if (read.key.includes(':page') && answer) pageReads.push({ lease: read.lease, answer: answer.kind });
        }),
    });
    const story: Story = { comment: 'v0', renders: { page: 0, comment: 0 } };
    await articlePage(sweeper!, story, 0);
    await sweeper!.idle();
    // A hit read from the server: this process now holds the page with the stamp it read.
    await articlePage(sweeper!, story, 0);
    for (const comment of ['v1', 'v2', 'v3']) {
      story.comment = comment;
      await sweeper!.invalidate(COMMENT);
      pageReads.length = 0;
      expect(await articlePage(sweeper!, story, 0)).toBe(`<article><li>${comment}</li></article>`);
      await sweeper!.idle();
      // The copy held is the one this process stored last: its stamp still holds, so the replace wins.
      expect(pageReads).toEqual([{ lease: 'replace', answer: 'won' }]);
    }
    expect(story.renders).toEqual({ page: 4, comment: 4 });
  });

  it('with leases: false, reads a page another process stored after a vote rather than rendering it again', async () => {
    const [first, second] = fleet(2, { leases: false });
    const story: Story = { comment: 'v1', renders: { page: 0, comment: 0 } };
    await articlePage(first!, story, 0);
    await first!.idle();
    story.comment = 'v2';
    await first!.invalidate(COMMENT);
    expect(await articlePage(second!, story, 0)).toBe('<article><li>v2</li></article>');
    await second!.idle();
    story.renders = { page: 0, comment: 0 };
    // The first process's own copy is stale; the page the second stored under the same key is not.
    expect(await articlePage(first!, story, 0)).toBe('<article><li>v2</li></article>');
    expect(story.renders).toEqual({ page: 0, comment: 0 });
  });

  it('keeps single flight per process with leases: false: each process renders its own', async () => {
    const processes = fleet(3, { leases: false });
    let renders = 0;
    await burst(processes, 5, (sweeper) =>
      sweeper.fragment(COMMENT, 600, ['per-process'], async () => {
        renders += 1;
        await sleep(50);
        return '<li>mine</li>';
      }),
    );
    expect(renders).toBe(3);
  });
});
