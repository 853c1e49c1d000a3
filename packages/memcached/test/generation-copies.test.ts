import { createStats, createSweeper, generationKey, type Sweeper, versionKey } from '@cachesweeper/core';
import { type MemcachedProcess, startMemcached } from '@cachesweeper/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MemcachedBackend, memcachedBackend } from '../src';
import { generationCopies } from '../src/generation-copies';
import { createRouter } from '../src/router';
import { waitForState } from './helpers';

const NAMES = ['a', 'b', 'c'];
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

  it('is not offered with one server', () => {
    expect(memcachedBackend({ servers: ['127.0.0.1:1'] }).placement).toBeUndefined();
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

  it('keeps the blocks whose counters live on the server that answers when the other is out', async () => {
    // The generation key itself lives on b: before the copies, b out meant every comment uncached.
    expect(route(generationKey(NAMESPACE, 'Comment'))).toBe('b');
    expect(onA.length).toBeGreaterThan(0);
    expect(onA.length).toBeLessThan(ids.length);
    await renderAll(ids, (id) => `<c${id}>`);
    await renderAll(ids, () => 'unused'); // read back: the process keeps copies of the fragments, wherever they live
    await servers[1]?.stop();
    await backend.get(versionKey(NAMESPACE, 'Comment', ids.find((id) => !onA.includes(id)) as number)).catch(() => {});
    await waitForState(backend, 'b', 'down');
    const { html, stats } = await renderAll(ids, (id) => `<fresh${id}>`);
    expect(stats.hits).toBe(onA.length);
    expect(stats.uncached).toBe(ids.length - onA.length);
    expect(html.filter((each, index) => each === `<c${ids[index]}>`)).toHaveLength(onA.length);
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
