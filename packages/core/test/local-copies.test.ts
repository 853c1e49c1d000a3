import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { type CacheBackend, CacheSweeperError, createStats, createSweeper, memoryBackend, type Sweeper } from '../src';
import { LocalCopies } from '../src/lookup/local-copies';

const article = { model: 'Article', id: 1 };
const comments = Array.from({ length: 5 }, (_, index) => ({ model: 'Comment', id: index + 1 }));

/** A memory backend seen as a shared one (no synchronous face), recording the keys each read asks for. */
function sharedBackend(): { backend: CacheBackend; reads: string[][] } {
  const inner = memoryBackend();
  const reads: string[][] = [];
  const { sync: _sync, ...rest } = inner;
  const backend: CacheBackend = {
    ...rest,
    name: 'shared memory',
    get: (key) => inner.get(key),
    getMany: (keys) => {
      reads.push([...keys]);
      return inner.getMany(keys);
    },
  };
  return { backend, reads };
}

/** Renders the page (one block around a block per comment) through `sweeper`; returns its HTML. */
async function renderPage(sweeper: Sweeper, bodies: (id: number) => string, stats = createStats()): Promise<string> {
  const session = sweeper.session({ stats });
  const parent = sweeper.plan({ target: article, ttlSeconds: 60, parts: ['page'] });
  const children = comments.map((target) => sweeper.plan({ target, ttlSeconds: 60, parts: ['c'] }));
  const [parentSlot] = await session.lookup([parent]);
  if (parentSlot?.html !== undefined) return parentSlot.html;
  const childSlots = await session.lookup(children);
  const inner = childSlots.map((slot, index) => {
    if (slot.html !== undefined) return slot.html;
    const claim = session.claim(slot, parentSlot);
    const html = bodies(index + 1);
    if (claim.role === 'render') claim.complete(html, []);
    return html;
  });
  const html = `<page>${inner.join('')}</page>`;
  const claim = session.claim(parentSlot!);
  if (claim.role === 'render') claim.complete(html, childSlots);
  await sweeper.idle();
  return html;
}

const pageKeyRead = (reads: string[][]) => reads.flat().some((key) => key.includes('page'));

describe('local copies of fragments read from a shared backend', () => {
  it('a full hit reads the tokens only once the process holds the page, and serves the same HTML', async () => {
    const { backend, reads } = sharedBackend();
    const sweeper = createSweeper({ backend });
    const first = await renderPage(sweeper, (id) => `<c${id}>`);
    await renderPage(sweeper, () => 'unused'); // reads the page's bytes: the process keeps a copy
    reads.length = 0;
    const stats = createStats();
    expect(await renderPage(sweeper, () => 'unused', stats)).toBe(first);
    expect(stats).toMatchObject({ hits: 1, misses: 0, roundTrips: 1 });
    expect(pageKeyRead(reads)).toBe(false);
    expect(reads.flat()).toHaveLength(1 + comments.length); // the article's counter and each comment's
  });

  it("never serves a copy after a row nested in it changed, nor after the page's own row did", async () => {
    const { backend } = sharedBackend();
    const sweeper = createSweeper({ backend });
    await renderPage(sweeper, (id) => `<c${id}>`);
    await renderPage(sweeper, () => 'unused');
    await sweeper.invalidate(comments[2] as object);
    expect(await renderPage(sweeper, (id) => `<new${id}>`)).toBe('<page><c1><c2><new3><c4><c5></page>');
    await renderPage(sweeper, () => 'unused'); // the new copy is held now
    await sweeper.invalidate(article);
    const stats = createStats();
    expect(await renderPage(sweeper, (id) => `<again${id}>`, stats)).toBe('<page><c1><c2><new3><c4><c5></page>');
    expect(stats).toMatchObject({ misses: 1, hits: comments.length }); // the page again, around the comments' copies
  });

  it('when the page misses, serves the comments it holds copies of without reading their bytes again', async () => {
    const { backend, reads } = sharedBackend();
    const sweeper = createSweeper({ backend });
    await renderPage(sweeper, (id) => `<c${id}>`);
    await renderPage(sweeper, () => 'unused'); // the page's copy is held
    await sweeper.invalidate(comments[2] as object);
    await renderPage(sweeper, (id) => `<new${id}>`); // reads the other comments' bytes: their copies are held
    await sweeper.invalidate(comments[1] as object);
    reads.length = 0;
    const stats = createStats();
    expect(await renderPage(sweeper, (id) => `<again${id}>`, stats)).toBe('<page><c1><again2><new3><c4><c5></page>');
    expect(stats).toMatchObject({ misses: 2, hits: comments.length - 1 });
    const commentBytesRead = reads.flat().filter((key) => /^cs:Comment:=\d+:.*::c$/.test(key));
    // Comment 2 changed; comment 3 was rendered here, and what this process wrote is held too.
    expect([...new Set(commentBytesRead.map((key) => key.split(':')[2]))]).toEqual(['=2']);
    expect(commentBytesRead.some((key) => /^cs:Comment:=[145]:/.test(key))).toBe(false);
  });

  it("serves another process's newer copy under the same key, not its own older one", async () => {
    const { backend, reads } = sharedBackend();
    const one = createSweeper({ backend });
    const two = createSweeper({ backend });
    await renderPage(one, (id) => `<c${id}>`);
    await renderPage(one, () => 'unused');
    await renderPage(one, () => 'unused'); // one serves its local copy now
    await two.invalidate(comments[0] as object);
    const byTwo = await renderPage(two, (id) => `<two${id}>`);
    expect(byTwo).toBe('<page><two1><c2><c3><c4><c5></page>');
    reads.length = 0;
    const stats = createStats();
    expect(await renderPage(one, () => 'not rendered', stats)).toBe(byTwo);
    expect(stats).toMatchObject({ hits: 1, misses: 0, renders: 0 });
    expect(pageKeyRead(reads)).toBe(true);
  });

  it("renders a fragment again once its TTL ran out, not serving this process's copy of it", async () => {
    const { backend } = sharedBackend();
    const sweeper = createSweeper({ backend });
    const comment = comments[0] as object;
    expect(await sweeper.fragment(comment, 1, [], () => 'first')).toBe('first');
    expect(await sweeper.fragment(comment, 1, [], () => 'unused')).toBe('first');
    await sleep(1_100); // a TTL of 1 s ends within 1 s: its expiry is rounded down to the second
    expect(await sweeper.fragment(comment, 1, [], () => 'second')).toBe('second');
  });

  it('reads the bytes again once a copy is older than maxAgeSeconds', async () => {
    const { backend, reads } = sharedBackend();
    const sweeper = createSweeper({ backend, localCopies: { maxAgeSeconds: 0.05 } });
    await renderPage(sweeper, (id) => `<c${id}>`);
    await renderPage(sweeper, () => 'unused');
    reads.length = 0;
    await renderPage(sweeper, () => 'unused');
    expect(pageKeyRead(reads)).toBe(false);
    await sleep(80);
    reads.length = 0;
    await renderPage(sweeper, () => 'unused');
    expect(pageKeyRead(reads)).toBe(true);
  });

  it('keeps no more than maxBytes: a page larger than that is read every time', async () => {
    const { backend, reads } = sharedBackend();
    const sweeper = createSweeper({ backend, localCopies: { maxBytes: 16 } });
    await renderPage(sweeper, (id) => `<comment number ${id}>`);
    await renderPage(sweeper, () => 'unused');
    reads.length = 0;
    await renderPage(sweeper, () => 'unused');
    expect(pageKeyRead(reads)).toBe(true);
  });

  it('is off with localCopies: false', async () => {
    const { backend, reads } = sharedBackend();
    const off = createSweeper({ backend, localCopies: false });
    await renderPage(off, (id) => `<c${id}>`);
    await renderPage(off, () => 'unused');
    reads.length = 0;
    await renderPage(off, () => 'unused');
    expect(pageKeyRead(reads)).toBe(true);
  });

  it('refuses bad settings, naming them', () => {
    const { backend } = sharedBackend();
    const bad: [unknown, RegExp][] = [
      [{ maxBytes: 0 }, /localCopies\.maxBytes must be a whole number of bytes >= 1, got 0/],
      [{ maxBytes: 1.5 }, /localCopies\.maxBytes/],
      [{ maxAgeSeconds: -1 }, /localCopies\.maxAgeSeconds must be a number of seconds > 0, got -1/],
      [{ maxAgeSeconds: Number.POSITIVE_INFINITY }, /localCopies\.maxAgeSeconds/],
      ['on', /localCopies must be false or an object, got "on"/],
      [true, /localCopies must be false or an object/],
    ];
    for (const [localCopies, message] of bad) {
      expect(() => createSweeper({ backend, localCopies: localCopies as false })).toThrow(CacheSweeperError);
      expect(() => createSweeper({ backend, localCopies: localCopies as false })).toThrow(message);
    }
  });
});

describe('LocalCopies, the store', () => {
  const fragment = (html: string, nested: [string, string][] = []) => ({ html, nested });

  it('drops the least recently used copies first once maxBytes is exceeded; a get is a use, has is not', () => {
    // Five characters: 10 bytes as V8 holds them.
    const copies = new LocalCopies({ maxBytes: 30, maxAgeSeconds: 60 });
    for (const key of ['a', 'b', 'c']) copies.remember(key, fragment(key.repeat(5)));
    expect(copies.get('a')?.stored.html).toBe('aaaaa');
    expect(copies.has('b')).toBe(true);
    copies.remember('d', fragment('ddddd'));
    expect(['a', 'b', 'c', 'd'].map((key) => copies.has(key))).toEqual([true, false, true, true]);
  });

  it('keeps no copy larger than maxBytes, and frees the bytes of a copy replaced or dropped', () => {
    const copies = new LocalCopies({ maxBytes: 30, maxAgeSeconds: 60 });
    copies.remember('big', fragment('x'.repeat(16)));
    expect(copies.has('big')).toBe(false);
    copies.remember('a', fragment('aaaaa'));
    copies.remember('a', fragment('AAAAA'), '7');
    copies.remember('b', fragment('bbbbb'));
    copies.remember('c', fragment('ccccc'));
    expect(copies.get('a')).toEqual({ stored: fragment('AAAAA'), stamp: '7' });
    copies.remember('b', undefined);
    copies.remember('d', fragment('ddddd'));
    expect(['a', 'b', 'c', 'd'].map((key) => copies.has(key))).toEqual([true, false, true, true]);
  });

  it('serves a copy for maxAgeSeconds after it was kept, however often it was served meanwhile', async () => {
    const copies = new LocalCopies({ maxBytes: 1000, maxAgeSeconds: 0.05 });
    copies.remember('a', fragment('aaaaa'));
    expect(copies.get('a')).toBeDefined();
    await sleep(30);
    expect(copies.get('a')).toBeDefined();
    await sleep(40);
    expect(copies.get('a')).toBeUndefined();
    expect(copies.has('a')).toBe(false);
  });

  // A fragment with a TTL leaves the cache at its expiry; its copy must not outlive it by maxAgeSeconds.
  it('drops a copy at the expiry stored with its fragment when that comes first, and keeps none already expired', async () => {
    const copies = new LocalCopies({ maxBytes: 1000, maxAgeSeconds: 60 });
    const nowSeconds = Math.floor(Date.now() / 1000);
    copies.remember('gone', { ...fragment('ggggg'), expiresAt: nowSeconds - 1 });
    expect(copies.has('gone')).toBe(false);
    const expiresAt = nowSeconds + 1;
    copies.remember('soon', { ...fragment('sssss'), expiresAt });
    copies.remember('later', { ...fragment('lllll'), expiresAt: nowSeconds + 3_600 });
    copies.remember('plain', fragment('ppppp'));
    expect(copies.get('soon')?.stored.html).toBe('sssss');
    await sleep(expiresAt * 1000 - Date.now() + 50);
    expect(['soon', 'later', 'plain'].map((key) => copies.has(key))).toEqual([false, true, true]);
  });

  it('holds a copy for a lookup only while every counter nested in it holds its token', () => {
    const copies = new LocalCopies({ maxBytes: 1000, maxAgeSeconds: 60 });
    copies.remember('page', fragment('<ol></ol>', [['ns:Comment:=1', '5']]));
    expect(copies.holding('page', new Map([['ns:Comment:=1', '5']]))?.html).toBe('<ol></ol>');
    expect(copies.holding('page', new Map([['ns:Comment:=1', '6']]))).toBeUndefined();
    expect(copies.holding('page', new Map())).toBeUndefined();
    expect(copies.holding('other', new Map())).toBeUndefined();
  });
});
