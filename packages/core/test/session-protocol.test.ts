import { describe, expect, it } from 'vitest';
import { CacheSweeperError, createStats, createSweeper, type Sweeper, type SweeperSession } from '../src';

const article = { model: 'Article', id: 1 };
const comment = { model: 'Comment', id: 1 };

/** A page that looked up the article page and the comment nested in it, as a renderer would. */
async function pageOf(sweeper: Sweeper, session: SweeperSession = sweeper.session()) {
  const [outer] = await session.lookup([sweeper.plan({ target: article, ttlSeconds: 60, parts: ['page'] })]);
  const [inner] = await session.lookup([sweeper.plan({ target: comment, ttlSeconds: 60, parts: ['c'] })]);
  if (outer === undefined || inner === undefined) throw new Error('no slots');
  return { session, outer, inner };
}

/** Renders the comment as a leader would, so the page's outer rendering can nest it. */
function renderInner(page: Awaited<ReturnType<typeof pageOf>>, html = '<c>') {
  const claim = page.session.claim(page.inner, page.outer);
  if (claim.role !== 'render') throw new Error('expected to render the comment');
  claim.complete(html, []);
}

describe('claims', () => {
  it('give the first page to miss a fragment the rendering, and make the next one wait for it', async () => {
    const sweeper = createSweeper();
    const first = await pageOf(sweeper);
    const second = await pageOf(sweeper);
    const leader = first.session.claim(first.outer);
    const waiter = second.session.claim(second.outer);
    expect([leader.role, waiter.role]).toEqual(['render', 'wait']);
    if (leader.role !== 'render' || waiter.role !== 'wait') return;
    expect(leader.shared).toBe(true);
    leader.complete('<page>', []);
    expect(await waiter.rendering).toBe('<page>');
    expect(sweeper.stats().renders).toBe(1);
  });

  it('refuse a page a running rendering that nests an older token than the page read (it renders its own)', async () => {
    const sweeper = createSweeper();
    const first = await pageOf(sweeper);
    renderInner(first);
    await sweeper.idle();
    const leader = first.session.claim(first.outer);
    await sweeper.invalidate(comment);
    const second = await pageOf(sweeper);
    const waiter = second.session.claim(second.outer);
    if (leader.role !== 'render' || waiter.role !== 'wait') throw new Error('unexpected roles');
    leader.complete('<old page>', [first.inner]);
    expect(await waiter.rendering).toBeUndefined();
    const own = second.session.claimPrivately(second.outer);
    expect(own.shared).toBe(false);
  });

  it('share a finished rendering with pages that began before its write landed, if their nested tokens match', async () => {
    const sweeper = createSweeper();
    const early = sweeper.session();
    const first = await pageOf(sweeper);
    renderInner(first);
    const leader = first.session.claim(first.outer);
    if (leader.role !== 'render') throw new Error('expected to render');
    const earlyPage = await pageOf(sweeper, early);
    leader.complete('<page>', [first.inner]);
    await sweeper.idle();
    const claim = earlyPage.session.claim(earlyPage.outer);
    expect(claim.role).toBe('wait');
    if (claim.role === 'wait') expect(await claim.rendering).toBe('<page>');
    // A page that began after the write landed and still missed renders: the entry was evicted or deleted.
    const late = await pageOf(sweeper);
    expect(late.outer.status).toBe('hit');
    const after = await pageOf(sweeper);
    await sweeper.backend.delete(after.outer.key as string);
    const again = await pageOf(sweeper);
    expect(again.outer.status).toBe('miss');
    expect(again.session.claim(again.outer).role).toBe('render');
  });

  it('read a nested counter the page lacks before deciding to share', async () => {
    const sweeper = createSweeper();
    const first = await pageOf(sweeper);
    renderInner(first);
    const leader = first.session.claim(first.outer);
    const session = sweeper.session();
    const [outer] = await session.lookup([sweeper.plan({ target: article, ttlSeconds: 60, parts: ['page'] })]);
    if (leader.role !== 'render' || outer === undefined) throw new Error('unexpected');
    const waiter = session.claim(outer);
    leader.complete('<page>', [first.inner]);
    expect(waiter.role).toBe('wait');
    if (waiter.role === 'wait') expect(await waiter.rendering).toBe('<page>');
  });

  it('tell waiting pages to render their own when the leader fails', async () => {
    const sweeper = createSweeper();
    const first = await pageOf(sweeper);
    const second = await pageOf(sweeper);
    const leader = first.session.claim(first.outer);
    const waiter = second.session.claim(second.outer);
    if (leader.role !== 'render' || waiter.role !== 'wait') throw new Error('unexpected roles');
    leader.fail(new Error('template threw'));
    expect(await waiter.rendering).toBeUndefined();
    await sweeper.idle();
    const third = await pageOf(sweeper);
    expect(third.outer.status).toBe('miss');
  });

  it('never make a page wait, from inside its own rendering, for another page (it renders privately)', async () => {
    const sweeper = createSweeper();
    const other = await pageOf(sweeper);
    expect(other.session.claim(other.inner).role).toBe('render');
    const page = await pageOf(sweeper);
    const claim = page.session.claim(page.inner, page.outer);
    expect(claim.role).toBe('render');
    if (claim.role === 'render') expect(claim.shared).toBe(false);
  });

  it('render a fragment nested in a fragment of the same key privately (it would wait for itself)', async () => {
    const sweeper = createSweeper();
    const page = await pageOf(sweeper);
    const [again] = await page.session.lookup([sweeper.plan({ target: article, ttlSeconds: 60, parts: ['page'] })]);
    if (again === undefined) throw new Error('no slot');
    expect(page.session.claim(page.outer).role).toBe('render');
    const claim = page.session.claim(again, page.outer);
    expect(claim.role === 'render' && claim.shared).toBe(false);
  });

  it('refuse to claim a fragment that was found, saying to serve it', async () => {
    const sweeper = createSweeper();
    await sweeper.fragment(article, 60, ['page'], () => '<page>');
    await sweeper.idle();
    const { session, outer } = await pageOf(sweeper);
    expect(outer.status).toBe('hit');
    expect(() => session.claim(outer)).toThrow(CacheSweeperError);
    expect(() => session.claim(outer)).toThrow(/found in the cache; serve its html/);
  });
});

describe('completed renderings', () => {
  it('are stored with the counters of the fragments rendered inside them, and missed once one changes', async () => {
    const sweeper = createSweeper();
    const page = await pageOf(sweeper);
    renderInner(page);
    const claim = page.session.claim(page.outer);
    if (claim.role !== 'render') throw new Error('expected to render');
    claim.complete('<page>', [page.inner]);
    await sweeper.idle();
    expect((await pageOf(sweeper)).outer.html).toBe('<page>');
    await sweeper.invalidate(comment);
    expect((await pageOf(sweeper)).outer.status).toBe('miss');
  });

  it('are not stored when a fragment inside them could not be keyed, or their children are unknown', async () => {
    const sweeper = createSweeper();
    const page = await pageOf(sweeper);
    const claim = page.session.claim(page.outer);
    if (claim.role !== 'render') throw new Error('expected to render');
    claim.complete('<page>', [page.inner]); // the comment was never rendered: its nested record is unknown
    await sweeper.idle();
    expect(sweeper.stats().stores).toBe(0);
    const second = await pageOf(sweeper);
    const unknown = second.session.claim(second.outer);
    if (unknown.role !== 'render') throw new Error('expected to render');
    unknown.complete('<page>', null);
    await sweeper.idle();
    expect(sweeper.stats().stores).toBe(0);
  });

  it('are neither stored nor shared by a read-only session, and counted as renders', async () => {
    const sweeper = createSweeper();
    const stats = createStats();
    const page = await pageOf(sweeper, sweeper.session({ stats, store: false }));
    const claim = page.session.claim(page.outer);
    expect(claim.role === 'render' && claim.shared).toBe(false);
    if (claim.role === 'render') claim.complete('<uncommitted>', []);
    await sweeper.idle();
    expect(stats).toMatchObject({ renders: 1, stores: 0 });
    expect((await pageOf(sweeper)).session.claim((await pageOf(sweeper)).outer).role).toBe('render');
  });

  it('are written at once by a synchronous claim', async () => {
    const sweeper = createSweeper();
    const session = sweeper.session();
    const [slot] = session.lookupSync([sweeper.plan({ target: article, ttlSeconds: 60, parts: ['page'] })]);
    if (slot === undefined) throw new Error('no slot');
    session.claimSync(slot).complete('<page>', []);
    expect(sweeper.stats().stores).toBe(1);
    const [found] = sweeper.session().lookupSync([sweeper.plan({ target: article, ttlSeconds: 60, parts: ['page'] })]);
    expect(found?.html).toBe('<page>');
  });
});
