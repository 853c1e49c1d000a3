import { describe, expect, it } from 'vitest';
import { type CacheBackend, createStats, createSweeper, generationKey, type KeyPlacement, memoryBackend } from '../src';

/**
 * A memory backend that claims two servers: rows with an odd id "live" on the second, and
 * their counters' copies on the first; `out` names a server this process cannot read.
 */
function twoServerBackend(): {
  backend: CacheBackend;
  inner: CacheBackend;
  incremented: string[];
  read: string[];
  out: { server: 'odd' | 'even' | undefined };
} {
  const inner = memoryBackend();
  const incremented: string[] = [];
  const read: string[] = [];
  const out: { server: 'odd' | 'even' | undefined } = { server: undefined };
  const { sync: _sync, ...rest } = inner;
  const serverOf = (key: string) => (/[13579]$/.test(key) !== key.endsWith('~c1') ? 'odd' : 'even');
  const placement: KeyPlacement = {
    copiesOf: (key) => {
      const base = key.replace(/(\.1|~c1)$/, '');
      return base.endsWith(':*') ? [base, `${base}.1`] : [base, `${base}~c1`];
    },
    copyBeside: (key, anchor) => (serverOf(anchor) === 'odd' ? `${key}.1` : key),
    readableCopy: (key) => (serverOf(key) === out.server ? `${key}~c1` : key),
  };
  const reachable = (key: string) => serverOf(key) !== out.server;
  const backend: CacheBackend = {
    ...rest,
    name: 'two servers',
    // A server out of reach: its keys read as misses, writes to it fail.
    getMany: async (keys) => {
      read.push(...keys);
      const values = await inner.getMany(keys);
      return values.map((value, index) => (reachable(keys[index] as string) ? value : undefined));
    },
    add: (key, value, ttl) => (reachable(key) ? inner.add(key, value, ttl) : Promise.reject(new Error(`${key}: out`))),
    incr: (key, by) => {
      if (!reachable(key)) return Promise.reject(new Error(`${key}: out`));
      incremented.push(key);
      return inner.incr(key, by);
    },
    placement,
  };
  return { backend, inner, incremented, read, out };
}

describe("a backend's placement of copies", () => {
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

  it("reads a row's counter copy while its server is out, under the same key, and bumps both", async () => {
    const { backend, inner, incremented, read, out } = twoServerBackend();
    const sweeper = createSweeper({ backend, namespace: 'p' });
    const plan = () => sweeper.plan({ target: { model: 'Comment', id: 3 }, ttlSeconds: 60 });
    const render = async (html: string) => {
      const stats = createStats();
      const session = sweeper.session({ stats });
      const [slot] = await session.lookup([plan()]);
      if (slot?.html !== undefined) return { html: slot.html, stats };
      const claim = session.claim(slot!);
      if (claim.role === 'render') claim.complete(html, []);
      await sweeper.idle();
      return { html, stats };
    };
    expect(plan().plan.counterKey).toBe('p:Comment:=3');
    await render('<old>');
    // Created together, the two copies hold the same token.
    const [counter, copy] = await inner.getMany(['p:Comment:=3', 'p:Comment:=3~c1']);
    expect(counter).toBeDefined();
    expect(copy).toBe(counter);

    out.server = 'odd';
    read.length = 0;
    expect(await render('unused')).toMatchObject({ html: '<old>', stats: { hits: 1 } });
    // The block names the counter; while its server is out, its copy is what is read.
    expect(plan().plan.counterKey).toBe('p:Comment:=3');
    expect(read).toContain('p:Comment:=3~c1');
    expect(read).not.toContain('p:Comment:=3');

    incremented.length = 0;
    const outcome = await sweeper.invalidate({ model: 'Comment', id: 3 });
    // The copy in reach is bumped; the counter out of reach is not, so the invalidation has not landed
    // (an outbox replays it by the name it keeps; memcached also replays it before reading the server again).
    expect(outcome).toMatchObject({ landed: false, keys: ['p:Comment:=3'] });
    expect(incremented).toEqual(['p:Comment:=3~c1']);
    expect(await render('<new>')).toMatchObject({ html: '<new>', stats: { misses: 1 } });

    out.server = undefined;
    incremented.length = 0;
    expect((await sweeper.bumpKeys(outcome.keys)).landed).toBe(true);
    expect(incremented.sort()).toEqual(['p:Comment:=3', 'p:Comment:=3~c1']);
    // Never the rendering from before the write (the counter's old token); the one made after it may serve.
    expect(['<new>', '<newer>']).toContain((await render('<newer>')).html);
  });

  it("checks a stored fragment's nested counters against their copies while their server is out", async () => {
    const { backend, out } = twoServerBackend();
    const sweeper = createSweeper({ backend, namespace: 'p' });
    const outer = () => sweeper.plan({ target: { model: 'Article', id: 2 }, ttlSeconds: 60 });
    const inner = () => sweeper.plan({ target: { model: 'Comment', id: 3 }, ttlSeconds: 60 });
    const page = async () => {
      const stats = createStats();
      const session = sweeper.session({ stats });
      const [slot] = await session.lookup([outer()]);
      if (slot?.html !== undefined) return { html: slot.html, stats };
      const claim = session.claim(slot!);
      const [nested] = await session.lookup([inner()]);
      const innerClaim = session.claim(nested!, slot);
      if (innerClaim.role === 'render') innerClaim.complete('<c3>', []);
      if (claim.role === 'render') claim.complete('<a2><c3></a2>', [nested!]);
      await sweeper.idle();
      return { html: '<a2><c3></a2>', stats };
    };
    await page();
    const warm = await page();
    expect(warm.stats).toMatchObject({ misses: 0, uncached: 0 });
    out.server = 'odd'; // the comment's counter (id 3) is out of reach; its copy is not
    expect(await page()).toMatchObject({
      html: '<a2><c3></a2>',
      stats: { hits: warm.stats.hits, misses: 0, uncached: 0 },
    });
    await sweeper.invalidate({ model: 'Comment', id: 3 });
    expect((await page()).stats).toMatchObject({ hits: 0, misses: 2 }); // the bump reached the copy read
  });

  it('keeps a copy that exists already when the counter is created again', async () => {
    const { backend, inner } = twoServerBackend();
    const sweeper = createSweeper({ backend, namespace: 'p' });
    await inner.set('p:Comment:=3~c1', '77', 0); // its own lineage: the counter was evicted alone
    const session = sweeper.session();
    await session.lookup([sweeper.plan({ target: { model: 'Comment', id: 3 }, ttlSeconds: 60 })]);
    const [counter, copy] = await inner.getMany(['p:Comment:=3', 'p:Comment:=3~c1']);
    expect(counter).not.toBe('77');
    expect(copy).toBe('77');
  });

  it('writes no records of contents bumps, and keeps nothing: copies that missed a bump number bumps apart', async () => {
    const { backend, read } = twoServerBackend();
    const models = { Article: { generation: true }, Comment: { generation: true, within: { Article: 'articleId' } } };
    const sweeper = createSweeper({ backend, namespace: 'p', models });
    const plans = [
      sweeper.plan({ target: { model: 'Article', id: 2 }, ttlSeconds: 60 }),
      sweeper.plan({ target: { model: 'Comment', id: 4, articleId: 2 }, ttlSeconds: 60 }),
    ];
    await sweeper.session({ keepsUnchanged: true }).lookup(plans);
    const set: string[] = [];
    const { set: setOne, setMany } = backend;
    backend.set = (key, value, ttl) => {
      set.push(key);
      return setOne(key, value, ttl);
    };
    backend.setMany = (entries) => {
      set.push(...entries.map((entry) => entry.key));
      return (setMany as NonNullable<typeof setMany>)(entries);
    };
    const outcome = await sweeper.invalidate({ model: 'Comment', id: 4, articleId: 2 });
    expect(outcome.landed).toBe(true);
    expect(set.filter((key) => key.includes('!'))).toEqual([]);
    read.length = 0;
    await sweeper.session({ keepsUnchanged: true }).lookup(plans);
    expect(read.filter((key) => key.includes('!'))).toEqual([]);
  });
});
