import { createStats, createSweeper, generationKey, type Sweeper, versionKey } from '@cachesweeper/core';
import { type MemcachedProcess, startMemcached } from '@cachesweeper/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MemcachedBackend, memcachedBackend } from '../src';
import { keyCopies } from '../src/key-copies';
import { createRouter } from '../src/router';
import { waitForState } from './helpers';

const NAMES = ['a', 'b', 'c'];
const EVERY_SERVER_UP = () => true;
/** The placement a backend on `names` offers while every server answers. */
const generationCopies = (route: ReturnType<typeof createRouter>, names: readonly string[]) =>
  keyCopies(route, names, EVERY_SERVER_UP);
/** A namespace whose Comment generation key the ring puts on b (the server the tests stop). */
const NAMESPACE = 'gc2';

describe('copies of a model generation on every server', () => {
  it('names one copy per server, the key itself on its own server, the same in every process', () => {
    const route = createRouter(NAMES);
    const key = generationKey('app', 'Comment');
    const copies = generationCopies(route, NAMES).copiesOf(key);
    expect(copies).toContain(key);
    expect(copies.map(route).sort()).toEqual(NAMES);
    for (const copy of copies) expect(copy === key || /^app:Comment:\*\.\d+$/.test(copy)).toBe(true);
    // Another process, with the servers listed in another order, finds the same names.
    const other = generationCopies(createRouter([...NAMES].reverse()), [...NAMES].reverse());
    expect([...other.copiesOf(key)].sort()).toEqual([...copies].sort());
  });

  it("gives a row the copy on its own counter's server", () => {
    const route = createRouter(NAMES);
    const placement = generationCopies(route, NAMES);
    const key = generationKey('app', 'Comment');
    for (let id = 1; id <= 50; id++) {
      const counter = versionKey('app', 'Comment', id);
      expect(route(placement.copyBeside(key, counter))).toBe(route(counter));
    }
  });

  it('falls back to the key itself where no longer name fits in a key', () => {
    const route = createRouter(NAMES);
    const long = `${'x'.repeat(246)}:*`; // 248 bytes: `.<n>` fits only while n < 10
    const copies = generationCopies(route, NAMES).copiesOf(long);
    expect(copies).toContain(long);
    for (const copy of copies) expect(copy.length).toBeLessThanOrEqual(250);
  });

  it('maps a copy back to every copy, whichever copy it is given', () => {
    const route = createRouter(NAMES);
    const placement = generationCopies(route, NAMES);
    const key = generationKey('app', 'Comment');
    const copies = placement.copiesOf(key);
    for (const copy of copies) expect(placement.copiesOf(copy)).toEqual(copies);
  });

  it('reads a copy on a server in reach while the one asked for is out', () => {
    const route = createRouter(NAMES);
    const down = new Set<string>(['b']);
    const placement = keyCopies(route, NAMES, (server) => !down.has(server));
    const copies = placement.copiesOf(generationKey('app', 'Comment'));
    const onB = copies.find((copy) => route(copy) === 'b') as string;
    expect(route(placement.readableCopy?.(onB) as string)).not.toBe('b');
    expect(copies).toContain(placement.readableCopy?.(onB));
    down.add('a').add('c');
    expect(placement.readableCopy?.(onB)).toBe(onB); // none in reach: the key itself, read as a miss
  });

  it('is not offered with one server, nor with keyCopies: false', () => {
    expect(memcachedBackend({ servers: ['127.0.0.1:1'] }).placement).toBeUndefined();
    expect(memcachedBackend({ servers: ['127.0.0.1:1', '127.0.0.1:2'] }).placement).toBeDefined();
    expect(memcachedBackend({ servers: ['127.0.0.1:1', '127.0.0.1:2'], keyCopies: false }).placement).toBeUndefined();
    expect(() => memcachedBackend({ servers: ['127.0.0.1:1'], keyCopies: 'no' as unknown as boolean })).toThrow(
      '[cachesweeper] [memcached] option keyCopies must be true or false, got "no"',
    );
  });
});

describe('a copy of each counter on another server', () => {
  it("names one copy on another server, read only while the counter's own server is out of reach", () => {
    const route = createRouter(NAMES);
    const down = new Set<string>();
    const placement = keyCopies(route, NAMES, (server) => !down.has(server));
    for (let id = 1; id <= 50; id++) {
      const counter = versionKey('app', 'Comment', id);
      const copies = placement.copiesOf(counter);
      expect(copies).toHaveLength(2);
      const [own, copy] = copies as [string, string];
      expect(own).toBe(counter);
      expect(copy).toMatch(/~c\d+$/);
      expect(route(copy)).not.toBe(route(counter));
      expect(placement.copiesOf(copy)).toEqual(copies);
      expect(placement.readableCopy?.(counter)).toBe(counter);
      down.add(route(counter));
      expect(placement.readableCopy?.(counter)).toBe(copy);
      down.add(route(copy));
      expect(placement.readableCopy?.(counter)).toBe(counter); // both out: the counter itself, read as a miss
      down.clear();
    }
    // Another process, with the servers listed in another order, finds the same names.
    const other = keyCopies(createRouter([...NAMES].reverse()), [...NAMES].reverse(), EVERY_SERVER_UP);
    expect(other.copiesOf(versionKey('app', 'Comment', 7))).toEqual(
      placement.copiesOf(versionKey('app', 'Comment', 7)),
    );
  });

  it('has no copy where no longer name fits in a key', () => {
    const route = createRouter(NAMES);
    const long = 'x'.repeat(249);
    expect(generationCopies(route, NAMES).copiesOf(long)).toEqual([long]);
  });
});

describe('a model generation kept on two servers', () => {
  let servers: MemcachedProcess[];
  let backend: MemcachedBackend;
  let sweeper: Sweeper;

  beforeEach(async () => {
    servers = await Promise.all([startMemcached(), startMemcached()]);
    backend = memcachedBackend({
      servers: servers.map((server, index) => `${NAMES[index]}=${server.address}`),
      retryMs: 60_000, // a stopped server stays down for the test
    });
    sweeper = createSweeper({ backend, namespace: NAMESPACE, models: { Comment: { generation: true } } });
  });
  afterEach(async () => {
    await sweeper.close();
    await Promise.all(servers.map((server) => server.stop()));
  });

  /** Renders each comment's block once; returns its HTML, or what `render` gives on a miss. */
  async function renderAll(ids: readonly number[], render: (id: number) => string) {
    const stats = createStats();
    const session = sweeper.session({ stats });
    const slots = await session.lookup(
      ids.map((id) => sweeper.plan({ target: { model: 'Comment', id }, ttlSeconds: 60, parts: ['c'] })),
    );
    const html = slots.map((slot, index) => {
      if (slot.html !== undefined) return slot.html;
      const claim = session.claim(slot);
      const fresh = render(ids[index] as number);
      if (claim.role === 'render') claim.complete(fresh, []);
      return fresh;
    });
    await sweeper.idle();
    return { html, stats };
  }

  const ids = Array.from({ length: 20 }, (_, index) => index + 1);
  const route = createRouter(['a', 'b']);
  const onA = ids.filter((id) => route(versionKey(NAMESPACE, 'Comment', id)) === 'a');

  it('keeps every block while the other server is out: its keys are read from their copies', async () => {
    // The generation key itself lives on b: before any copies, b out meant every comment uncached;
    // with a copy of the generation alone, the comments whose counters live on b.
    expect(route(generationKey(NAMESPACE, 'Comment'))).toBe('b');
    expect(onA.length).toBeGreaterThan(0);
    expect(onA.length).toBeLessThan(ids.length);
    await renderAll(ids, (id) => `<c${id}>`);
    await renderAll(ids, () => 'unused'); // read back: the process keeps copies of the fragments, wherever they live
    await servers[1]?.stop();
    await backend.get(versionKey(NAMESPACE, 'Comment', ids.find((id) => !onA.includes(id)) as number)).catch(() => {});
    await waitForState(backend, 'b', 'down');
    const { html, stats } = await renderAll(ids, (id) => `<fresh${id}>`);
    expect(stats.hits).toBe(ids.length);
    expect(html).toEqual(ids.map((id) => `<c${id}>`));
  });

  // A store to the server out of reach fails; the process keeps what it rendered all the same, so
  // a block whose bytes live there renders once, not on every page (issue 13's flaky link).
  it('renders a block whose bytes would live on the server out of reach once, then serves its own copy', async () => {
    await renderAll(ids, (id) => `<c${id}>`);
    await servers[1]?.stop();
    await backend.get(versionKey(NAMESPACE, 'Comment', ids.find((id) => !onA.includes(id)) as number)).catch(() => {});
    await waitForState(backend, 'b', 'down');
    // Their counters live on a: the bumps land there (their copies on b wait for b).
    for (const id of onA) await sweeper.invalidate({ model: 'Comment', id });
    const during = await renderAll(ids, (id) => `<new${id}>`);
    expect(during.stats.misses).toBe(onA.length);
    const slots = await sweeper
      .session()
      .lookup(onA.map((id) => sweeper.plan({ target: { model: 'Comment', id }, ttlSeconds: 60, parts: ['c'] })));
    expect(slots.some((slot) => route(slot.key as string) === 'b')).toBe(true); // their stores failed
    const again = await renderAll(ids, (id) => `<again${id}>`);
    expect(again.stats).toMatchObject({ hits: ids.length, misses: 0 });
    expect(again.html).toEqual(during.html);
  });

  it('shows a write made while the other server is out, and after it answers again', async () => {
    // Its own backend, whose servers rejoin at once: b is frozen (it keeps its values), not stopped.
    await sweeper.close();
    backend = memcachedBackend({
      servers: servers.map((server, index) => `${NAMES[index]}=${server.address}`),
      retryMs: 50,
    });
    sweeper = createSweeper({ backend, namespace: NAMESPACE, models: { Comment: { generation: true } } });
    const voted = ids.find((id) => !onA.includes(id)) as number;
    await renderAll(ids, (id) => `<c${id}>`);
    await renderAll(ids, () => 'unused'); // read back: copies of the fragments whose bytes live on b
    await servers[1]?.freeze();
    try {
      await backend.get(versionKey(NAMESPACE, 'Comment', voted)).catch(() => {});
      await waitForState(backend, 'b', 'down');
      // The bump reaches the copy on a, not the counter on b: not landed (an outbox would replay it).
      expect((await sweeper.invalidate({ model: 'Comment', id: voted })).landed).toBe(false);
      const during = await renderAll(ids, (id) => `<new${id}>`);
      expect(during.html[ids.indexOf(voted)]).toBe(`<new${voted}>`);
      expect(during.stats.hits).toBe(ids.length - 1);
    } finally {
      await servers[1]?.thaw();
    }
    // b still holds the counter from before the bump: it is repaired (the bump replayed) before it is read.
    await waitForState(backend, 'b', 'up');
    const after = await renderAll(ids, (id) => `<newer${id}>`);
    expect(after.html[ids.indexOf(voted)]).not.toBe(`<c${voted}>`);
  });

  it('invalidates every block of the model on both servers', async () => {
    await renderAll(ids, (id) => `<c${id}>`);
    expect((await renderAll(ids, () => 'unused')).stats.hits).toBe(ids.length);
    const outcome = await sweeper.invalidateModel('Comment');
    expect(outcome.landed).toBe(true);
    expect(outcome.keys).toEqual([generationKey(NAMESPACE, 'Comment')]); // the name an outbox keeps
    const { html, stats } = await renderAll(ids, (id) => `<new${id}>`);
    expect(stats.hits).toBe(0);
    expect(html).toEqual(ids.map((id) => `<new${id}>`));
  });

  it('bumps every copy when the generation is replayed by name (bumpKeys, as an outbox does)', async () => {
    await renderAll(ids, (id) => `<c${id}>`);
    const landed = await sweeper.bumpKeys([generationKey(NAMESPACE, 'Comment')]);
    expect(landed.landed).toBe(true);
    expect((await renderAll(ids, (id) => `<new${id}>`)).stats.hits).toBe(0);
  });
});
