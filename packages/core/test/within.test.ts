import { describe, expect, it } from 'vitest';
import { createStats, createSweeper, type Sweeper, type SweeperStats } from '../src';
import { scriptedBackend } from './support/scripted-backend';

const N = 30;
const article = { model: 'Article', id: 7 };
/** A comment's target; `articleId` null leaves the attribute out (a bare reference). */
const commentOf = (id: number, articleId: number | null = 7) =>
  articleId === null ? { model: 'Comment', id } : { model: 'Comment', id, articleId };
const MODELS = {
  Article: { generation: true },
  Comment: { generation: true, within: { Article: 'articleId' } },
} as const;

/** Renders the article block around N comment blocks through the session protocol; returns the page and what it read. */
async function renderPage(
  sweeper: Sweeper,
  text: (id: number) => string,
  comments = range(N).map((id) => commentOf(id)),
) {
  const stats = createStats();
  const session = sweeper.session({ stats });
  const parent = sweeper.plan({ target: article, ttlSeconds: 60, parts: ['page'] });
  const [outer] = await session.lookup([parent]);
  if (outer?.html !== undefined) return { html: outer.html, stats };
  const claim = session.claim(outer!);
  const children = comments.map((target) => sweeper.plan({ target, ttlSeconds: 60, parts: ['comment'] }));
  const slots = await session.lookup(children);
  const parts = slots.map((slot, index) => {
    if (slot.html !== undefined) return slot.html;
    const inner = session.claim(slot, outer);
    const html = `<li>${text(comments[index]!.id)}</li>`;
    if (inner.role === 'render') inner.complete(html, []);
    return html;
  });
  const html = `<ol>${parts.join('')}</ol>`;
  if (claim.role === 'render') claim.complete(html, slots);
  await sweeper.idle();
  return { html, stats };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, index) => index + 1);
}

/** The keys read by the getMany calls made since `from`. */
function keysRead(calls: ReturnType<typeof scriptedBackend>['calls'], from: number): number {
  return calls
    .slice(from)
    .filter((call) => call.method === 'getMany')
    .reduce((sum, call) => sum + (call.args[0] as string[]).length, 0);
}

/** A sweeper on a counted backend, and comments whose text shows their votes (set `votes` before invalidating). */
function blogCache() {
  const scripted = scriptedBackend();
  const sweeper = createSweeper({ backend: scripted.backend, models: MODELS });
  const votes = new Map<number, number>();
  const text = (id: number) => `c${id}:${votes.get(id) ?? 0}`;
  return { scripted, sweeper, votes, text };
}

function expectRounds(stats: SweeperStats, reads: number): void {
  expect(stats.roundTrips - stats.writeRoundTrips).toBe(reads);
}

describe('rows declared within another row', () => {
  it('let the block of the containing row hit on a fixed number of keys, whatever it nests', async () => {
    const { scripted, sweeper, text } = blogCache();
    await renderPage(sweeper, text);

    const before = scripted.calls.length;
    const hit = await renderPage(sweeper, text);
    expect(hit.stats).toMatchObject({ hits: 1, misses: 0 });
    expectRounds(hit.stats, 1);
    // The article's generation, counter and contents counter, the comments' generation; not the
    // page's bytes: this process wrote them, and holds its copy.
    expect(keysRead(scripted.calls, before)).toBe(4);
  });

  it('make the containing block miss when one inside it is invalidated, and re-render only that one', async () => {
    const { sweeper, votes, text } = blogCache();
    await renderPage(sweeper, text);
    await renderPage(sweeper, text);

    votes.set(5, 1);
    await sweeper.invalidate(commentOf(5));
    const after = await renderPage(sweeper, text);
    expect(after.html).toContain('<li>c5:1</li>');
    expect(after.stats).toMatchObject({ hits: N - 1, misses: 2, renders: 2 });
    // Article tokens; then the page under its new key with the comments' counters, their last
    // copies and the copies one bump later (comment 5, if some process rendered it: here missing).
    expectRounds(after.stats, 2);
    const again = await renderPage(sweeper, text);
    expect(again.html).toBe(after.html);
    expect(again.stats).toMatchObject({ hits: 1 });

    // Comment 5 again, once more one bump past the counter this process last saw: its guess is built anew.
    votes.set(5, 2);
    await sweeper.invalidate(commentOf(5));
    const second = await renderPage(sweeper, text);
    expect(second.html).toContain('<li>c5:2</li>');
    expect(second.stats).toMatchObject({ hits: N - 1, misses: 2 });
    expectRounds(second.stats, 2);

    // Two bumps since this process last saw comment 6: its key is not guessed, and takes a round.
    votes.set(6, 2);
    await sweeper.invalidate(commentOf(6));
    await sweeper.invalidate(commentOf(6));
    const twice = await renderPage(sweeper, text);
    expect(twice.html).toContain('<li>c6:2</li>');
    expect(twice.stats).toMatchObject({ hits: N - 1, misses: 2 });
    expectRounds(twice.stats, 3);
  });

  it('bump the containing row’s contents counter, again in a round of its own after the rows inside it', async () => {
    const { scripted, sweeper } = blogCache();
    const before = scripted.calls.length;
    const outcome = await sweeper.invalidateMany([commentOf(5), commentOf(6)]);
    expect(outcome.landed).toBe(true);
    const bumps = scripted.calls.slice(before).filter((call) => call.method === 'incr');
    // The memory backend bumps key by key; the second round holds the article's contents counter.
    // The article's own counter stays: its page keeps its key, and is assembled again around comment 5.
    expect(bumps.map((call) => call.args[0])).toEqual([
      'cs:Comment:=5',
      'cs:Comment:+',
      'cs:Article:=7:&',
      'cs:Comment:=6',
      'cs:Article:=7:&',
    ]);
    expect(outcome.keys).toEqual(['cs:Comment:=5', 'cs:Comment:+', 'cs:Article:=7:&', 'cs:Comment:=6']);
  });

  it('invalidate every containing row through its generation when the target cannot name it', async () => {
    const sweeper = createSweeper({ models: MODELS });
    expect(sweeper.invalidationKeys([{ model: 'Comment', id: 5 }])).toEqual([
      'cs:Comment:=5',
      'cs:Comment:+',
      'cs:Article:*',
    ]);
    expect(sweeper.invalidationKeys([{ model: 'Comment', id: 5, articleId: null }])).toEqual([
      'cs:Comment:=5',
      'cs:Comment:+',
    ]);
    const strict = createSweeper({ models: { Comment: { within: { Article: 'articleId' } } } });
    expect(() => strict.invalidationKeys([{ model: 'Comment', id: 5 }])).toThrow(
      /invalidate\(Comment#5\): Comment is declared within Article by "articleId", which the target does not hold; pass the row \(or \{ model, id, articleId \}\)/,
    );
    expect(() => strict.invalidationKeys([{ model: 'Comment', id: 5, articleId: { id: 7 } }])).toThrow(
      /holds as object/,
    );
  });

  it('keep checking a block whose target does not name its row, or names another', async () => {
    const { scripted, sweeper, votes, text } = blogCache();
    const comments = [commentOf(1, null), commentOf(2, 8), commentOf(3)];
    await renderPage(sweeper, text, comments);
    const before = scripted.calls.length;
    await renderPage(sweeper, text, comments);
    // Comments 1 and 2 are checked by their counters (the page's bytes are this process's copy).
    expect(keysRead(scripted.calls, before)).toBe(6);

    // Comment 2 names article 8: its invalidation bumps article 8's contents, and the page of article 7 sees it by comment 2's counter.
    votes.set(2, 1);
    await sweeper.invalidate(commentOf(2, 8));
    const after = await renderPage(sweeper, text, comments);
    expect(after.html).toContain('<li>c2:1</li>');
  });

  it('keep the containing block’s key when a row within it changes, and change it when the row itself does', async () => {
    const { sweeper, votes, text } = blogCache();
    await renderPage(sweeper, text);
    const keyOfPage = async () => {
      const [outer] = await sweeper
        .session()
        .lookup([sweeper.plan({ target: article, ttlSeconds: 60, parts: ['page'] })]);
      return outer!.key;
    };
    const before = await keyOfPage();
    votes.set(4, 1);
    await sweeper.invalidate(commentOf(4));
    // Same key (a renderer's recipe for it still applies), but the stored page no longer holds.
    expect(await keyOfPage()).toBe(before);
    expect((await renderPage(sweeper, text)).html).toContain('<li>c4:1</li>');
    await sweeper.invalidate(article);
    expect(await keyOfPage()).not.toBe(before);
  });

  it('need the second bump: a page that read the row after its first bump but the inner row before its own', async () => {
    const { scripted, sweeper, votes, text } = blogCache();
    await renderPage(sweeper, text);
    votes.set(3, 1); // committed
    // The first bump round reaches the article's server before the comment's; a page renders in between.
    await scripted.real.incr('cs:Article:=7:&', 1);
    const between = await renderPage(sweeper, text);
    // Concurrent with the write: the old comment, stored with the new contents token.
    expect(between.html).toContain('<li>c3:0</li>');
    await scripted.real.incr('cs:Comment:=3', 1);
    expect((await renderPage(sweeper, text)).html).toContain('<li>c3:0</li>'); // what the second round exists for
    await sweeper.bumpKeys(['cs:Article:=7:&']); // as the second round does
    expect((await renderPage(sweeper, text)).html).toContain('<li>c3:1</li>');
  });

  it('skip the contents counter of a block whose last rendering here nested no row within it', async () => {
    const { scripted, sweeper, votes, text } = blogCache();
    const readSince = (from: number) =>
      scripted.calls.slice(from).flatMap((call) => (call.method === 'getMany' ? (call.args[0] as string[]) : []));
    // The first lookup knows nothing of the block: it reads the contents counter.
    let before = scripted.calls.length;
    await renderPage(sweeper, text, []);
    expect(readSince(before)).toContain('cs:Article:=7:&');
    before = scripted.calls.length;
    const hit = await renderPage(sweeper, text, []);
    expect(hit.stats).toMatchObject({ hits: 1, misses: 0 });
    expect(readSince(before)).toEqual(['cs:Article:*', 'cs:Article:=7']);

    // A comment is added (the installer invalidates the article's own row): the rendering nests
    // it without having read the contents counter, so its copy records the comment's counter.
    await sweeper.invalidate(article);
    expect((await renderPage(sweeper, text, [commentOf(1)])).html).toBe('<ol><li>c1:0</li></ol>');
    votes.set(1, 1);
    await sweeper.invalidate(commentOf(1));
    expect((await renderPage(sweeper, text, [commentOf(1)])).html).toBe('<ol><li>c1:1</li></ol>');
    // It nests a row within it now: the contents counter is read again, and the hit reads a fixed set of keys.
    before = scripted.calls.length;
    const again = await renderPage(sweeper, text, [commentOf(1)]);
    expect(again.stats).toMatchObject({ hits: 1, misses: 0 });
    expect(readSince(before)).toEqual(['cs:Article:*', 'cs:Article:=7', 'cs:Article:=7:&', 'cs:Comment:*']);
  });

  it('heal a copy that recorded the rows within it by their own counters (its contents counter was unreadable) at its next change', async () => {
    const { scripted, sweeper, votes, text } = blogCache();
    await renderPage(sweeper, text);
    // The article's contents counter is lost, and cannot be created again while its server refuses writes.
    await sweeper.invalidate(article);
    await scripted.real.delete('cs:Article:=7:&');
    scripted.script('add', 'fail');
    const degraded = await renderPage(sweeper, text);
    scripted.script('add', 'ok');
    expect(degraded.stats.misses).toBeGreaterThan(0);
    // Its copy records the comments' counters: its hits read them all.
    await renderPage(sweeper, text);
    let before = scripted.calls.length;
    const hit = await renderPage(sweeper, text);
    expect(hit.stats).toMatchObject({ hits: 1, misses: 0 });
    const stuck = keysRead(scripted.calls, before);

    votes.set(2, 1);
    await sweeper.invalidate(commentOf(2));
    expect((await renderPage(sweeper, text)).html).toContain('<li>c2:1</li>');
    before = scripted.calls.length;
    const healed = await renderPage(sweeper, text);
    expect(healed.stats).toMatchObject({ hits: 1, misses: 0 });
    // From then on, 4 keys; until then its hits read the comments' counters too (in a second round, with the page).
    expect(keysRead(scripted.calls, before)).toBe(4);
    expect(stuck).toBeGreaterThan(4 + N);
  });
});
