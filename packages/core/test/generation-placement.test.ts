import { describe, expect, it } from 'vitest';
import { type CacheBackend, createStats, createSweeper, generationKey, type KeyPlacement, memoryBackend } from '../src';

/** A memory backend that claims two servers: rows with an odd id "live" on the second. */
function twoServerBackend(): { backend: CacheBackend; incremented: string[] } {
  const inner = memoryBackend();
  const incremented: string[] = [];
  const { sync: _sync, ...rest } = inner;
  const serverOf = (key: string) => (/[13579]$/.test(key) ? 'odd' : 'even');
  const placement: KeyPlacement = {
    copiesOf: (key) => [key, `${key}.1`],
    copyBeside: (key, anchor) => (serverOf(anchor) === 'odd' ? `${key}.1` : key),
  };
  const backend: CacheBackend = {
    ...rest,
    name: 'two servers',
    incr: (key, by) => {
      incremented.push(key);
      return inner.incr(key, by);
    },
    placement,
  };
  return { backend, incremented };
}

describe("a backend's placement of generation copies", () => {
  it('keys each block on the copy beside its row, and bumps every copy, once named', async () => {
    const { backend, incremented } = twoServerBackend();
    const sweeper = createSweeper({ backend, namespace: 'p', models: { Comment: { generation: true } } });
    const plan = (id: number) => sweeper.plan({ target: { model: 'Comment', id }, ttlSeconds: 60 });
    expect(plan(2).plan.generationKey).toBe('p:Comment:*');
    expect(plan(3).plan.generationKey).toBe('p:Comment:*.1');
    // A whole-model block is anchored at its model counter.
    expect(sweeper.plan({ target: { model: 'Comment' }, ttlSeconds: 60 }).plan.generationKey).toBe('p:Comment:*');

    const render = async (html: string) => {
      const stats = createStats();
      const session = sweeper.session({ stats });
      const slots = await session.lookup([plan(2), plan(3)]);
      for (const slot of slots) {
        if (slot.html !== undefined) continue;
        const claim = session.claim(slot);
        if (claim.role === 'render') claim.complete(html, []);
      }
      await sweeper.idle();
      return stats;
    };
    await render('<old>');
    expect((await render('unused')).hits).toBe(2);
    incremented.length = 0;
    const outcome = await sweeper.invalidateModel('Comment');
    expect(outcome.keys).toEqual([generationKey('p', 'Comment')]);
    expect(incremented.sort()).toEqual(['p:Comment:*', 'p:Comment:*.1']);
    expect((await render('<new>')).misses).toBe(2);
  });
});
