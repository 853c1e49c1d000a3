import { describe, expect, it } from 'vitest';
import { createSweeper, memoryBackend, versionKey } from '../src';
import {
  bumpsBetween,
  contentsRecordKey,
  decodeContentsRecord,
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
