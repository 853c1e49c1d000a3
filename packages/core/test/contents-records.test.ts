import { describe, expect, it } from 'vitest';
import { createStats, createSweeper, type FragmentSlot, memoryBackend, type Sweeper, versionKey } from '../src';
import {
  bumpsBetween,
  contentsRecordKey,
  decodeContentsRecord,
  recordTtlSeconds,
  rowsChangedBetween,
} from '../src/invalidation/contents-records';
import { contentsKey } from '../src/keys';
import { scriptedBackend } from './support/scripted-backend';

const MODELS = {
  Article: { generation: true },
  Comment: { generation: true, within: { Article: 'articleId' } },
} as const;
const contents = contentsKey('cs', 'Article', 7);
const comment = (id: number) => versionKey('cs', 'Comment', id);

/** A sweeper whose counters exist (a page read them); returns it with the backend it writes to. */
async function sweeperWithCounters(backend = memoryBackend()) {
  const sweeper = createSweeper({ backend, models: MODELS, namespace: 'cs' });
  const session = sweeper.session();
  await session.lookup([
    sweeper.plan({ target: { model: 'Article', id: 7 }, ttlSeconds: 60 }),
    ...[1, 2, 3].map((id) => sweeper.plan({ target: { model: 'Comment', id, articleId: 7 }, ttlSeconds: 60 })),
  ]);
  return { sweeper, backend };
}

async function counter(backend: ReturnType<typeof memoryBackend>, key: string): Promise<string> {
  return (await backend.get(key)) as string;
}

describe('records of contents bumps', () => {
  it('name the rows an invalidation bumped, under each value it moved their container to', async () => {
    const { sweeper, backend } = await sweeperWithCounters();
    const before = await counter(backend, contents);
    await sweeper.invalidateMany([
      { model: 'Comment', id: 1, articleId: 7 },
      { model: 'Comment', id: 2, articleId: 7 },
    ]);
    const after = await counter(backend, contents);
    const values = bumpsBetween(before, after);
    expect(values).toHaveLength(2); // the contents counter goes twice: with the rows, and once they landed
    for (const value of values ?? []) {
      const record = decodeContentsRecord(await backend.get(contentsRecordKey(contents, value)));
      expect(new Set(record)).toEqual(new Set([comment(1), comment(2)]));
    }
  });

  it('let a reader tell which rows changed between two values, and nothing when one is missing', async () => {
    const { sweeper, backend } = await sweeperWithCounters();
    const start = await counter(backend, contents);
    await sweeper.invalidate({ model: 'Comment', id: 1, articleId: 7 });
    await sweeper.invalidate({ model: 'Comment', id: 3, articleId: 7 });
    const end = await counter(backend, contents);
    const values = bumpsBetween(start, end) ?? [];
    const records = new Map<string, readonly string[] | undefined>();
    for (const value of values) {
      const key = contentsRecordKey(contents, value);
      records.set(key, decodeContentsRecord(await backend.get(key)));
    }
    expect(rowsChangedBetween(contents, start, end, records)).toEqual(new Set([comment(1), comment(3)]));
    expect(rowsChangedBetween(contents, end, end, records)).toEqual(new Set());
    records.delete(contentsRecordKey(contents, values[1] as string));
    expect(rowsChangedBetween(contents, start, end, records)).toBeUndefined();
    expect(rowsChangedBetween(contents, end, start, records)).toBeUndefined();
  });

  it('are not written for a row that names no container (its generation goes), nor for a counter never created', async () => {
    const scripted = scriptedBackend();
    const sweeper = createSweeper({ backend: scripted.backend, models: MODELS, namespace: 'cs' });
    await sweeper.invalidate({ model: 'Comment', id: 9, articleId: 7 }); // no counter exists: nothing to bump, nothing to record
    await sweeper.invalidate({ model: 'Comment', id: 9 }); // a bare reference: every Article's generation
    expect(scripted.calls.filter((call) => call.method === 'set' || call.method === 'setMany')).toEqual([]);
  });

  it('list every row of a replayed batch of bare keys with its contents counters', async () => {
    const { sweeper, backend } = await sweeperWithCounters();
    const keys = sweeper.invalidationKeys([{ model: 'Comment', id: 2, articleId: 7 }]);
    const before = await counter(backend, contents);
    await sweeper.bumpKeys(keys);
    const after = await counter(backend, contents);
    const [first] = bumpsBetween(before, after) ?? [];
    expect(decodeContentsRecord(await backend.get(contentsRecordKey(contents, first as string)))).toEqual([comment(2)]);
  });

  it('leave an invalidation landed when their own write fails', async () => {
    const scripted = scriptedBackend();
    const sweeper = createSweeper({ backend: scripted.backend, models: MODELS, namespace: 'cs', onError: () => {} });
    const session = sweeper.session();
    await session.lookup([
      sweeper.plan({ target: { model: 'Article', id: 7 }, ttlSeconds: 60 }),
      sweeper.plan({ target: { model: 'Comment', id: 1, articleId: 7 }, ttlSeconds: 60 }),
    ]);
    scripted.script('setMany', 'fail');
    scripted.script('set', 'fail');
    const outcome = await sweeper.invalidate({ model: 'Comment', id: 1, articleId: 7 });
    expect(outcome.landed).toBe(true);
  });

  it('name a contents counter near the length limit by its digest', () => {
    const long = `cs:${'a'.repeat(240)}:&`;
    const key = contentsRecordKey(long, '4503599627370497');
    expect(key.length).toBeLessThanOrEqual(250);
    expect(key).not.toBe(contentsRecordKey(`cs:${'b'.repeat(240)}:&`, '4503599627370497'));
  });

  it('refuse to span more bumps than a reader would read, or a counter that went back', () => {
    expect(bumpsBetween('10', '12')).toEqual(['11', '12']);
    expect(bumpsBetween('10', '10')).toEqual([]);
    expect(bumpsBetween('10', '9')).toBeUndefined();
    expect(bumpsBetween('10', '1000')).toBeUndefined();
    expect(decodeContentsRecord('')).toBeUndefined();
    expect(decodeContentsRecord('a  b')).toBeUndefined();
  });
});

const N = 20;
const articleTarget = { model: 'Article', id: 7 };
const range = (n: number) => Array.from({ length: n }, (_, index) => index + 1);

/**
 * Renders the article block around N comment blocks as a keeping renderer does: on a miss
 * with an outdated copy, each comment the contents records show unchanged is kept from
 * that copy (this renderer writes each comment's counter token into its item to find it
 * again), and only the others are looked up. Returns the page, its figures and what it kept.
 */
async function renderKeeping(sweeper: Sweeper, text: (id: number) => string, keeping = true) {
  const stats = createStats();
  const session = sweeper.session({ stats, keepsUnchanged: keeping });
  const [outer] = await session.lookup([sweeper.plan({ target: articleTarget, ttlSeconds: 60, parts: ['page'] })]);
  if (outer?.html !== undefined) return { html: outer.html, stats, kept: 0 };
  const claim = session.claim(outer!);
  const children = range(N).map((id) =>
    sweeper.plan({ target: { model: 'Comment', id, articleId: 7 }, ttlSeconds: 60, parts: ['comment'] }),
  );
  const old = outer?.outdated === undefined ? [] : [...outer.outdated.html.matchAll(/<li t="(\d+)">(.*?)<\/li>/g)];
  const candidates = old.map((item, index) => ({
    planned: children[index] as (typeof children)[number],
    counterToken: item[1] as string,
    html: item[2] as string,
  }));
  const slots: (FragmentSlot | undefined)[] =
    candidates.length === children.length ? session.keep(outer!, candidates) : children.map(() => undefined);
  const kept = slots.filter((slot) => slot !== undefined).length;
  const looking = children.flatMap((_planned, index) => (slots[index] === undefined ? [index] : []));
  const found = await session.lookup(looking.map((index) => children[index] as (typeof children)[number]));
  looking.forEach((index, at) => {
    slots[index] = found[at];
  });
  const parts = (slots as FragmentSlot[]).map((slot, index) => {
    const body =
      slot.html ??
      (() => {
        const html = text(index + 1);
        const inner = session.claim(slot, outer);
        if (inner.role === 'render') inner.complete(html, []);
        return html;
      })();
    return `<li t="${session.counterTokenOf(slot)}">${body}</li>`;
  });
  const html = `<ol>${parts.join('')}</ol>`;
  if (claim.role === 'render') claim.complete(html, slots as FragmentSlot[]);
  await sweeper.idle();
  return { html, stats, kept };
}

/** What the page shows for `votes`, as an uncached renderer would write it (tokens aside). */
const shown = (html: string) => html.replace(/ t="\d+"/g, '');

describe('a renderer keeping the unchanged rows of an outdated copy', () => {
  function blog() {
    const scripted = scriptedBackend();
    const sweeper = createSweeper({ backend: scripted.backend, models: MODELS, namespace: 'cs' });
    const votes = new Map<number, number>();
    const text = (id: number) => `c${id}:${votes.get(id) ?? 0}`;
    const expected = () =>
      `<ol>${range(N)
        .map((id) => `<li>${text(id)}</li>`)
        .join('')}</ol>`;
    return { scripted, sweeper, votes, text, expected };
  }

  it('renders only the rows the records name, in two reads of a few keys', async () => {
    const { scripted, sweeper, votes, text, expected } = blog();
    await renderKeeping(sweeper, text);
    await renderKeeping(sweeper, text); // a hit: the page's copy nests the contents token
    votes.set(5, 1);
    await sweeper.invalidate({ model: 'Comment', id: 5, articleId: 7 });
    const before = scripted.calls.length;
    const after = await renderKeeping(sweeper, text);
    expect(shown(after.html)).toBe(expected());
    expect(after.kept).toBe(N - 1);
    expect(after.stats).toMatchObject({ hits: N - 1, kept: N - 1, misses: 2, renders: 2 });
    expect(after.stats.roundTrips - after.stats.writeRoundTrips).toBe(2);
    const read = scripted.calls
      .slice(before)
      .filter((call) => call.method === 'getMany')
      .flatMap((call) => call.args[0] as string[]);
    expect(read.length).toBeLessThan(12); // tokens and records, then the page, comment 5's counter and its likely keys
    const again = await renderKeeping(sweeper, text);
    expect(again.html).toBe(after.html);
    expect(again.stats).toMatchObject({ hits: 1, misses: 0 });
  });

  it('looks every row up when a record is missing, when the copy is too far behind, or another token moved', async () => {
    const { scripted, sweeper, votes, text, expected } = blog();
    await renderKeeping(sweeper, text);
    await renderKeeping(sweeper, text);
    const contentsNow = async () => (await scripted.real.get(contents)) as string;

    let from = await contentsNow();
    votes.set(3, 1);
    await sweeper.invalidate({ model: 'Comment', id: 3, articleId: 7 });
    await scripted.real.delete(contentsRecordKey(contents, String(Number(from) + 1)));
    const missing = await renderKeeping(sweeper, text);
    expect(missing.kept).toBe(0);
    expect(shown(missing.html)).toBe(expected());

    for (let vote = 0; vote < 9; vote++) {
      votes.set(4, vote);
      await sweeper.invalidate({ model: 'Comment', id: 4, articleId: 7 });
    }
    const far = await renderKeeping(sweeper, text);
    expect(far.kept).toBe(0);
    expect(shown(far.html)).toBe(expected());

    from = await contentsNow();
    votes.set(6, 1);
    await sweeper.invalidate({ model: 'Comment', id: 6, articleId: 7 });
    await sweeper.invalidateModel('Comment'); // every comment's key moves: nothing can be kept
    const moved = await renderKeeping(sweeper, text);
    expect(moved.kept).toBe(0);
    expect(shown(moved.html)).toBe(expected());
    expect(from).not.toBe(await contentsNow());
  });

  it('never keeps a row whose change the records name, however the bumps interleave with pages', async () => {
    const { scripted, sweeper, votes, text, expected } = blog();
    await renderKeeping(sweeper, text);
    votes.set(3, 1); // committed; the first bump round reaches the article's server before the comment's
    await scripted.real.incr(contents, 1);
    const between = await renderKeeping(sweeper, text);
    expect(between.html).toContain('>c3:0<'); // concurrent with the write: allowed
    await scripted.real.incr(comment(3), 1);
    await sweeper.bumpKeys([contents]); // the second round, which records the rows of the batch: none named
    // The second bump replayed from bare keys names no row: nothing is known, every row is looked up.
    const after = await renderKeeping(sweeper, text);
    expect(shown(after.html)).toBe(expected());
    votes.set(8, 1);
    await sweeper.invalidate({ model: 'Comment', id: 8, articleId: 7 });
    expect(shown((await renderKeeping(sweeper, text)).html)).toBe(expected());
  });

  it('reads no records, and every nested block ahead, for a renderer that does not keep', async () => {
    const { scripted, sweeper, votes, text, expected } = blog();
    await renderKeeping(sweeper, text, false);
    await renderKeeping(sweeper, text, false);
    votes.set(5, 1);
    await sweeper.invalidate({ model: 'Comment', id: 5, articleId: 7 });
    const before = scripted.calls.length;
    const after = await renderKeeping(sweeper, text, false);
    expect(after.kept).toBe(0);
    expect(shown(after.html)).toBe(expected());
    const read = scripted.calls
      .slice(before)
      .filter((call) => call.method === 'getMany')
      .flatMap((call) => call.args[0] as string[]);
    expect(read.some((key) => key.includes('!'))).toBe(false);
    expect(after.stats.roundTrips - after.stats.writeRoundTrips).toBe(2);
  });
});

describe('the lifetime of a record', () => {
  it('is a day, or the version keys’ lifetime when shorter', () => {
    expect(recordTtlSeconds(0)).toBe(86_400);
    expect(recordTtlSeconds(600)).toBe(600);
    expect(recordTtlSeconds(7 * 86_400)).toBe(86_400);
  });
});

describe('keep, given what it cannot use', () => {
  it('names the bad parent or part', async () => {
    const sweeper = createSweeper({ models: MODELS, namespace: 'cs' });
    const session = sweeper.session({ keepsUnchanged: true });
    const planned = sweeper.plan({ target: { model: 'Comment', id: 1, articleId: 7 }, ttlSeconds: 60 });
    const [slot] = await session.lookup([sweeper.plan({ target: { model: 'Article', id: 7 }, ttlSeconds: 60 })]);
    expect(() => session.keep({} as FragmentSlot, [])).toThrow(
      /\[cachesweeper\] \[sweeper\] keep\(parent, parts\): parent must be a slot a lookup returned, got \{\}/,
    );
    expect(() => session.keep(slot!, 'x' as never)).toThrow(/parts must be an array .* got "x"/);
    expect(() => session.keep(slot!, [{ planned, counterToken: 5 as never, html: '' }])).toThrow(
      /parts must be an array of \{ planned, counterToken, html \}/,
    );
    // A slot that is no miss with an outdated copy keeps nothing.
    expect(session.keep(slot!, [{ planned, counterToken: '4503599627370497', html: '<li>' }])).toEqual([undefined]);
  });
});
