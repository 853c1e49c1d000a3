import { describe, expect, it } from 'vitest';
import { CacheSweeperError, createStats, createSweeper, memoryBackend } from '../src';
import { FragmentHints } from '../src/lookup/read-ahead-hints';

const article = { model: 'Article', id: 1 };
const comments = Array.from({ length: 5 }, (_, index) => ({ model: 'Comment', id: index + 1 }));

describe('prefetch hints', () => {
  it('a warm fragment is read with its token in one round; after invalidate the copy read ahead is not served', async () => {
    const backend = memoryBackend();
    const sweeper = createSweeper({ backend });
    expect(await sweeper.fragment(article, 60, ['page'], () => 'first')).toBe('first');
    await sweeper.idle();
    const warm = createStats();
    expect(
      await sweeper.fragment(article, 60, ['page'], () => 'miss', { session: sweeper.session({ stats: warm }) }),
    ).toBe('first');
    expect(warm).toMatchObject({ hits: 1, roundTrips: 1 });

    await sweeper.invalidate(article);
    const after = createStats();
    // The old copy is still stored and is read in the token round; its key is no longer current.
    expect(
      await sweeper.fragment(article, 60, ['page'], () => 'second', { session: sweeper.session({ stats: after }) }),
    ).toBe('second');
    expect(after).toMatchObject({ hits: 0, misses: 1, renders: 1, roundTrips: 2 });
  });

  it('nested fragments remembered for a parent are read with it, and only served under current tokens', async () => {
    const sweeper = createSweeper();
    const parent = sweeper.plan({ target: article, ttlSeconds: 60, parts: ['page'] });
    const children = comments.map((target) => sweeper.plan({ target, ttlSeconds: 60, parts: ['c'] }));
    const first = sweeper.session();
    const [parentSlot] = await first.lookup([parent]);
    const childSlots = await first.lookup(children);
    childSlots.forEach((slot, index) => {
      const claim = first.claim(slot, parentSlot);
      if (claim.role === 'render') claim.complete(`c${index}`, []);
    });
    const claim = first.claim(parentSlot!);
    if (claim.role === 'render') claim.complete('page', childSlots);
    await sweeper.idle();

    await sweeper.invalidateMany([article, comments[2] as object]);
    const stats = createStats();
    const session = sweeper.session({ stats });
    const [missed] = await session.lookup([parent]);
    expect(missed?.html).toBeUndefined();
    expect(stats.roundTrips).toBe(2);
    const inner = await session.lookup(children);
    expect(stats.roundTrips).toBe(2); // read with the parent
    expect(inner.map((lookup) => lookup.html)).toEqual(['c0', 'c1', undefined, 'c3', 'c4']);
  });

  it('prefetchHints: 0 turns read-ahead off; a bad value is refused naming it', async () => {
    const sweeper = createSweeper({ prefetchHints: 0 });
    await sweeper.fragment(article, 60, [], () => 'x');
    await sweeper.idle();
    const stats = createStats();
    await sweeper.fragment(article, 60, [], () => 'y', { session: sweeper.session({ stats }) });
    expect(stats).toMatchObject({ hits: 1, roundTrips: 2 });
    for (const bad of [-1, 1.5, Number.NaN, '10']) {
      expect(() => createSweeper({ prefetchHints: bad as number })).toThrow(CacheSweeperError);
      expect(() => createSweeper({ prefetchHints: bad as number })).toThrow(/prefetchHints must be a whole number/);
    }
  });

  it('stays bounded: the least recently used hints go, and a parent with too many nested blocks is not remembered', () => {
    const sweeper = createSweeper();
    const plan = (id: number) => sweeper.plan({ target: { model: 'Comment', id }, ttlSeconds: 60 });
    const hints = new FragmentHints(3);
    for (let id = 1; id <= 5; id++) hints.noteLookup(plan(id), `k${id}`, undefined);
    expect(hints.get(plan(1))).toBeUndefined();
    expect(hints.get(plan(5))).toEqual({ lastKey: 'k5' });
    hints.noteNested(
      plan(5),
      Array.from({ length: 100 }, (_, index) => plan(100 + index)),
    );
    expect(hints.get(plan(5))).toBeUndefined(); // 100 nested references exceed 3 × 10
    hints.noteNested(plan(4), [plan(6)]);
    expect(hints.get(plan(4))?.nested).toHaveLength(1);
    expect(hints.get(plan(4))?.lastKey).toBe('k4');
  });
});
