import { describe, expect, it, vi } from 'vitest';
import { type CacheBackend, CacheSweeperError, createStats, createSweeper, memoryBackend, versionKey } from '../src';
import { scriptedBackend } from './support/scripted-backend';

const comment = { model: 'Comment', id: 1 };

function counter(prefix = 'v') {
  let renders = 0;
  const render = () => `${prefix}${++renders}`;
  return { render, renders: () => renders };
}

describe('Sweeper.fragment', () => {
  it('renders on a miss, serves the stored copy on a hit, and renders again after invalidate', async () => {
    const sweeper = createSweeper();
    const { render } = counter();
    expect(await sweeper.fragment(comment, 60, ['c'], render)).toBe('v1');
    await sweeper.idle();
    expect(await sweeper.fragment(comment, 60, ['c'], render)).toBe('v1');
    await sweeper.invalidate(comment);
    expect(await sweeper.fragment(comment, 60, ['c'], render)).toBe('v2');
    expect(sweeper.stats()).toMatchObject({ hits: 1, misses: 2, renders: 2, invalidations: 1, errors: 0 });
  });

  it('keeps fragments of other rows and other key parts apart', async () => {
    const sweeper = createSweeper();
    await sweeper.fragment(comment, 60, ['a'], () => 'one-a');
    await sweeper.fragment({ model: 'Comment', id: 2 }, 60, ['a'], () => 'two-a');
    await sweeper.fragment(comment, 60, ['b'], () => 'one-b');
    await sweeper.idle();
    await sweeper.invalidate({ model: 'Comment', id: 2 });
    expect(await sweeper.fragment(comment, 60, ['a'], () => 'miss')).toBe('one-a');
    expect(await sweeper.fragment(comment, 60, ['b'], () => 'miss')).toBe('one-b');
    expect(await sweeper.fragment({ model: 'Comment', id: 2 }, 60, ['a'], () => 'fresh')).toBe('fresh');
  });

  it('treats a different template digest as a different fragment', async () => {
    const sweeper = createSweeper();
    await sweeper.fragment(comment, 60, [], () => 'old template', { digest: 'aaa' });
    await sweeper.idle();
    expect(await sweeper.fragment(comment, 60, [], () => 'new template', { digest: 'bbb' })).toBe('new template');
  });

  it('renders concurrent misses of one fragment once', async () => {
    const sweeper = createSweeper();
    let renders = 0;
    const render = async () => {
      renders += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 'shared';
    };
    const pages = await Promise.all(Array.from({ length: 50 }, () => sweeper.fragment(comment, 60, [], render)));
    expect(new Set(pages)).toEqual(new Set(['shared']));
    expect(renders).toBe(1);
  });

  it('writes the misses of one turn in one batched round', async () => {
    const { backend, count } = scriptedBackend();
    const sweeper = createSweeper({ backend });
    await Promise.all(
      Array.from({ length: 100 }, (_, id) => sweeper.fragment({ model: 'Comment', id }, 60, [], () => `c${id}`)),
    );
    await sweeper.idle();
    expect(count('setMany')).toBe(1);
    expect(sweeper.stats().stores).toBe(100);
  });

  it('throws at once, naming the value, for a negative, fractional or non-numeric TTL', () => {
    const sweeper = createSweeper();
    for (const ttl of [-1, 1.5, '60', Number.NaN]) {
      expect(() => sweeper.fragment(comment, ttl as number, [], () => 'x')).toThrow(
        /\[cachesweeper\] \[sweeper\] TTL of Comment#1 must be a whole number of seconds >= 0/,
      );
    }
  });

  it('throws at once for an unsaved row, and rejects a render that returns no string', async () => {
    const sweeper = createSweeper();
    expect(() => sweeper.fragment({ model: 'Comment', id: undefined }, 60, [], () => 'x')).toThrow(/unsaved row/);
    await expect(sweeper.fragment(comment, 60, [], () => 42 as unknown as string)).rejects.toThrow(
      /render of Comment#1 returned 42, not a string/,
    );
  });

  it('passes a render error to the caller and does not cache anything for it', async () => {
    const sweeper = createSweeper();
    await expect(
      sweeper.fragment(comment, 60, [], () => {
        throw new Error('template broke');
      }),
    ).rejects.toThrow('template broke');
    expect(await sweeper.fragment(comment, 60, [], () => 'ok')).toBe('ok');
  });
});

describe('version tokens', () => {
  it('need no round trip for the token of a row keyed by an attribute alone', async () => {
    const sweeper = createSweeper({ models: { Article: { using: 'updatedAt' } } });
    const article = { model: 'Article', id: 7, updatedAt: new Date(1_000) };
    await sweeper.fragment(article, 60, [], () => 'page');
    await sweeper.idle();
    const stats = createStats();
    expect(await sweeper.fragment(article, 60, [], () => 'miss', { session: sweeper.session({ stats }) })).toBe('page');
    expect(stats.roundTrips).toBe(1);
  });

  it('change the key of an attribute-keyed row when the attribute changes by a millisecond', async () => {
    const sweeper = createSweeper({ models: { Article: { using: 'updatedAt' } } });
    await sweeper.fragment({ model: 'Article', id: 7, updatedAt: new Date(1_000) }, 60, [], () => 'old');
    await sweeper.idle();
    const html = await sweeper.fragment({ model: 'Article', id: 7, updatedAt: new Date(1_001) }, 60, [], () => 'new');
    expect(html).toBe('new');
  });

  it('combine an attribute with a counter so a cascade can invalidate an attribute-keyed row', async () => {
    const sweeper = createSweeper({ models: { Article: { using: 'updatedAt', counter: true } } });
    const article = { model: 'Article', id: 7, updatedAt: new Date(1_000) };
    await sweeper.fragment(article, 60, [], () => 'before vote');
    await sweeper.idle();
    await sweeper.invalidate({ model: 'Article', id: 7 }); // a vote cascades into the article
    expect(await sweeper.fragment(article, 60, [], () => 'after vote')).toBe('after vote');
  });

  it('refuse to invalidate a row keyed by its attribute alone, saying what to declare', () => {
    const sweeper = createSweeper({ models: { Article: { using: 'updatedAt' } } });
    expect(() => sweeper.invalidate({ model: 'Article', id: 7 })).toThrow(
      /Article is keyed by its "updatedAt" alone.*counter: true/,
    );
  });

  it('accept django-style invalidate(row, { using }) when it matches the declaration, with no round trip', async () => {
    const { backend, calls } = scriptedBackend();
    const sweeper = createSweeper({ backend, models: { Article: { using: 'updatedAt' } } });
    await sweeper.invalidate({ model: 'Article', id: 7, updatedAt: new Date() }, { using: 'updatedAt' });
    expect(calls).toHaveLength(0);
    expect(sweeper.stats().invalidations).toBe(1);
  });

  it('throw when invalidate names a "using" the model was not declared with, or the row lacks it', () => {
    const sweeper = createSweeper({ models: { Article: { using: 'updatedAt' } } });
    expect(() => sweeper.invalidate(comment, { using: 'updatedAt' })).toThrow(
      /invalidate\(Comment#1, \{ using: "updatedAt" \}\): Comment is declared as/,
    );
    expect(() => sweeper.invalidate({ model: 'Article', id: 7 }, { using: 'updatedAt' })).toThrow(
      /Article#7 is keyed by "updatedAt", but its "updatedAt" was not loaded/,
    );
  });

  it('throw when a row keyed by an attribute is rendered without it', () => {
    const sweeper = createSweeper({ models: { Article: { using: 'updatedAt' } } });
    expect(() => sweeper.fragment({ model: 'Article', id: 7 }, 60, [], () => 'x')).toThrow(/was not loaded/);
    expect(() => sweeper.fragment({ model: 'Article', id: 7, updatedAt: null }, 60, [], () => 'x')).toThrow(
      /"updatedAt" is null/,
    );
  });

  it('invalidate every row of a model at once through its generation', async () => {
    const sweeper = createSweeper({ models: { Comment: { generation: true } } });
    await sweeper.fragment({ model: 'Comment', id: 1 }, 60, [], () => 'one');
    await sweeper.fragment({ model: 'Comment', id: 2 }, 60, [], () => 'two');
    await sweeper.idle();
    await sweeper.invalidateModel('Comment');
    expect(await sweeper.fragment({ model: 'Comment', id: 1 }, 60, [], () => 'one again')).toBe('one again');
    expect(await sweeper.fragment({ model: 'Comment', id: 2 }, 60, [], () => 'two again')).toBe('two again');
  });

  it('refuse invalidateModel for a model declared without a generation', () => {
    expect(() => createSweeper().invalidateModel('Comment')).toThrow(/not declared with \{ generation: true \}/);
  });

  it('refuse to redeclare a model differently', () => {
    const sweeper = createSweeper({ models: { Article: { using: 'updatedAt' } } });
    sweeper.declareModel('Article', { using: 'updatedAt' });
    expect(() => sweeper.declareModel('Article', { using: 'updatedAt', counter: true })).toThrow(
      /already declared as .*"counter":false.*cannot redeclare/,
    );
    expect(() => sweeper.declareModel('Vote', { counter: false })).toThrow(/needs a counter or a "using"/);
  });

  it('give two readers racing to create a missing counter the same token', async () => {
    const sweeper = createSweeper();
    const [a, b] = await Promise.all([
      sweeper.lookup([{ target: comment, ttlSeconds: 60 }]),
      sweeper.lookup([{ target: comment, ttlSeconds: 60 }]),
    ]);
    expect(a[0]?.key).toBeDefined();
    expect(a[0]?.key).toBe(b[0]?.key);
  });

  it('start a missing counter at a random value between 2^52 and 2^53', async () => {
    const backend = memoryBackend();
    const sweeper = createSweeper({ backend });
    await sweeper.lookup([{ target: comment, ttlSeconds: 60 }]);
    const value = Number(await backend.get(versionKey('cs', 'Comment', 1)));
    expect(value).toBeGreaterThanOrEqual(2 ** 52);
    expect(value).toBeLessThan(2 ** 53);
  });

  it('render uncached, and report it, when a counter holds garbage', async () => {
    const backend = memoryBackend();
    const onError = vi.fn();
    const sweeper = createSweeper({ backend, onError });
    await backend.set(versionKey('cs', 'Comment', 1), 'garbage', 0);
    const [lookup] = await sweeper.lookup([{ target: comment, ttlSeconds: 60 }]);
    expect([lookup?.status, lookup?.key, lookup?.html]).toEqual(['uncached', undefined, undefined]);
    expect(onError.mock.calls[0]?.[0].message).toMatch(/holds "garbage", not a counter/);
  });
});

describe('cache failures', () => {
  it('render uncached when the backend fails, report it once, and store nothing', async () => {
    const { backend, script, count } = scriptedBackend();
    const onError = vi.fn();
    const sweeper = createSweeper({ backend, onError });
    script('getMany', 'fail');
    expect(await sweeper.fragment(comment, 60, [], () => 'uncached')).toBe('uncached');
    await sweeper.idle();
    expect(count('setMany')).toBe(0);
    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(CacheSweeperError);
    expect(onError.mock.calls[0]?.[0].message).toMatch(
      /\[cachesweeper\] \[sweeper\] scripted get version tokens failed/,
    );
    expect(sweeper.stats()).toMatchObject({ uncached: 1, errors: 1, hits: 0 });
  });

  /** A memory backend whose `add` fails for keys matching `unreachable`, as a down server's would. */
  function downFor(unreachable: RegExp): CacheBackend {
    const inner = memoryBackend();
    return {
      name: 'two-servers',
      maxValueBytes: inner.maxValueBytes,
      get: (key) => inner.get(key),
      getMany: (keys) => inner.getMany(keys),
      set: (key, value, ttl) => inner.set(key, value, ttl),
      incr: (key, by) => inner.incr(key, by),
      delete: (key) => inner.delete(key),
      close: () => inner.close(),
      add: (key, value, ttl) =>
        unreachable.test(key) ? Promise.reject(new Error('server b is down')) : inner.add(key, value, ttl),
    };
  }

  it('render only the blocks whose counter could not be created uncached, and report it once a round', async () => {
    const onError = vi.fn();
    const sweeper = createSweeper({ backend: downFor(/Comment:=[23]$/), onError });
    const targets = [1, 2, 3].map((id) => ({ target: { model: 'Comment', id }, ttlSeconds: 60 }));
    const lookups = await sweeper.lookup(targets);
    expect(lookups.map((lookup) => lookup.status)).toEqual(['miss', 'uncached', 'uncached']);
    expect(lookups.map((lookup) => lookup.key === undefined)).toEqual([false, true, true]); // the first can be stored
    expect(onError.mock.calls.map(([error]) => error.message)).toEqual([
      '[cachesweeper] [tokens] creating 2 version key(s) failed (the first: "cs:Comment:=2"); their fragments render uncached: server b is down',
    ]);
  });

  it('keep asking for the rest of the page when every counter a round created was on the unreachable server', async () => {
    const sweeper = createSweeper({ backend: downFor(/Comment:=2$/) });
    const session = sweeper.session();
    const [lost] = await sweeper.lookup([{ target: { model: 'Comment', id: 2 }, ttlSeconds: 60 }], session);
    const [kept] = await sweeper.lookup([{ target: { model: 'Comment', id: 1 }, ttlSeconds: 60 }], session);
    expect([lost?.status, kept?.status]).toEqual(['uncached', 'miss']);
  });

  it('render uncached within the deadline when the backend never answers', async () => {
    const { backend, script } = scriptedBackend();
    const sweeper = createSweeper({ backend, timeoutMs: 50 });
    script('getMany', 'hang');
    const started = Date.now();
    expect(await sweeper.fragment(comment, 60, [], () => 'uncached')).toBe('uncached');
    // A correctness bound (it returned, well before a hang would), not a speed measurement.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(sweeper.stats().errors).toBe(1);
  });

  it('stop asking the backend for the rest of a page after one failed round', async () => {
    const { backend, script, count } = scriptedBackend();
    const sweeper = createSweeper({ backend });
    const session = sweeper.session();
    script('getMany', 'fail');
    await sweeper.fragment(comment, 60, [], () => 'a', { session });
    await sweeper.fragment({ model: 'Comment', id: 2 }, 60, [], () => 'b', { session });
    await sweeper.lookup([{ target: { model: 'Comment', id: 3 }, ttlSeconds: 60 }], session);
    expect(count('getMany')).toBe(1);
  });

  it('never reject an invalidation the backend fails, and report it', async () => {
    const { backend, script } = scriptedBackend();
    const onError = vi.fn();
    const sweeper = createSweeper({ backend, onError, invalidationTimeoutMs: 50 });
    script('incr', 'fail');
    await expect(sweeper.invalidate(comment)).resolves.toMatchObject({ landed: false });
    script('incr', 'hang');
    await expect(sweeper.invalidate(comment)).resolves.toMatchObject({ landed: false });
    expect(onError).toHaveBeenCalledTimes(2);
    expect(onError.mock.calls[1]?.[0].message).toMatch(/missed its 50 ms deadline/);
  });

  it('survive an onError that throws', async () => {
    const { backend, script } = scriptedBackend();
    const sweeper = createSweeper({
      backend,
      onError: () => {
        throw new Error('logger broke');
      },
    });
    script('getMany', 'fail');
    expect(await sweeper.fragment(comment, 60, [], () => 'page')).toBe('page');
  });

  it('report a failed background write without failing anything', async () => {
    const { backend, script } = scriptedBackend();
    const onError = vi.fn();
    const sweeper = createSweeper({ backend, onError });
    script('setMany', 'fail');
    expect(await sweeper.fragment(comment, 60, [], () => 'page')).toBe('page');
    await sweeper.idle();
    expect(onError.mock.calls[0]?.[0].message).toMatch(/store fragments failed/);
  });

  it('render uncached after close and report invalidations it can no longer make', async () => {
    const onError = vi.fn();
    const sweeper = createSweeper({ onError });
    await sweeper.close();
    expect(await sweeper.fragment(comment, 60, [], () => 'page')).toBe('page');
    await sweeper.invalidate(comment);
    expect(onError.mock.calls[0]?.[0].message).toMatch(/after close\(\)/);
  });
});

describe('synchronous access', () => {
  it('gets or renders a fragment synchronously on the memory backend', async () => {
    const sweeper = createSweeper();
    expect(sweeper.isSynchronous).toBe(true);
    expect(sweeper.fragmentSync(comment, 60, [], () => 'sync')).toBe('sync');
    expect(sweeper.fragmentSync(comment, 60, [], () => 'miss')).toBe('sync');
    await sweeper.invalidate(comment);
    expect(sweeper.fragmentSync(comment, 60, [], () => 'fresh')).toBe('fresh');
  });

  it('says which API to use when the backend is async only', () => {
    const sweeper = createSweeper({ backend: scriptedBackend().backend });
    expect(() => sweeper.fragmentSync(comment, 60, [], () => 'x')).toThrow(
      /scripted backend has no synchronous access/,
    );
  });
});

describe('options', () => {
  it('refuse bad options, naming the value', () => {
    expect(() => createSweeper({ namespace: 'a b' })).toThrow(/namespace "a b"/);
    expect(() => createSweeper({ timeoutMs: 0 })).toThrow(/timeoutMs must be a number of ms > 0, got 0/);
    expect(() => createSweeper({ versionTtlSeconds: -5 })).toThrow(/versionTtlSeconds .* got -5/);
    expect(() => createSweeper({ onError: 'log' as never })).toThrow(/onError must be a function/);
    expect(() => createSweeper({ backend: { name: 'half', get() {} } as never })).toThrow(
      /lacks getMany, set, add, incr/,
    );
    expect(() => createSweeper({ models: { Article: { using: '' } } })).toThrow(/"using" must be an attribute name/);
  });

  it('never let a fragment outlive the counter it is keyed on', async () => {
    const { backend, calls } = scriptedBackend();
    const sweeper = createSweeper({ backend, versionTtlSeconds: 3600 });
    await sweeper.fragment(comment, 0, [], () => 'a');
    await sweeper.fragment({ model: 'Comment', id: 2 }, 86_400, [], () => 'b');
    await sweeper.idle();
    const stored = calls
      .filter((call) => call.method === 'setMany')
      .flatMap((call) => call.args[0] as { ttlSeconds: number }[]);
    expect(stored.map((entry) => entry.ttlSeconds)).toEqual([3600, 3600]);
    const added = calls.filter((call) => call.method === 'add').map((call) => call.args[2]);
    expect(added).toEqual([3600, 3600]);
  });
});

describe('requests from the installers', () => {
  it('invalidates a row whose integer key was rendered as a number and invalidated as a string', async () => {
    const sweeper = createSweeper();
    await sweeper.fragment({ model: 'A', id: 5 }, 0, [], () => 'old');
    await sweeper.idle();
    await sweeper.invalidate({ model: 'A', id: '5' });
    expect(await sweeper.fragment({ model: 'A', id: 5n as unknown as number }, 0, [], () => 'new')).toBe('new');
  });

  it('reads but never writes in a session opened with store: false', async () => {
    const { backend, count } = scriptedBackend();
    const sweeper = createSweeper({ backend });
    const session = sweeper.session({ store: false });
    expect(await sweeper.fragment(comment, 60, [], () => 'inside a transaction', { session })).toBe(
      'inside a transaction',
    );
    await sweeper.idle();
    expect(count('setMany')).toBe(0);
    expect(await sweeper.fragment(comment, 60, [], () => 'after commit')).toBe('after commit');
  });

  it('tells whether a model was declared, and bumps several generations in one round', async () => {
    const { backend, count } = scriptedBackend();
    const sweeper = createSweeper({ backend, models: { A: { generation: true }, B: { generation: true } } });
    expect(sweeper.declaredSpec('A')).toEqual({ using: undefined, counter: true, generation: true, within: [] });
    expect(sweeper.declaredSpec('C')).toBeUndefined();
    await sweeper.invalidateModel(['A', 'B', 'A']);
    expect(count('incr')).toBe(2);
    expect(sweeper.stats().invalidations).toBe(2);
    expect(() => sweeper.invalidateModel(['A', 'C'])).toThrow(/invalidateModel\("C"\)/);
  });
});

describe('invalidation', () => {
  it('is one round of incr, and leaves a missing counter missing (its next read starts it fresh)', async () => {
    const { backend, count } = scriptedBackend();
    const sweeper = createSweeper({ backend });
    await sweeper.invalidateMany([comment, { model: 'Comment', id: 2 }]);
    expect([count('incr'), count('add')]).toEqual([2, 0]);
    expect(sweeper.stats().roundTrips).toBe(1);
  });
});

describe('lookups', () => {
  it('skips the fragment read for rows whose counters this page just created', async () => {
    const { backend, count } = scriptedBackend();
    const sweeper = createSweeper({ backend });
    const lookups = await sweeper.lookup([
      { target: { model: 'Comment', id: 1 }, ttlSeconds: 60 },
      { target: { model: 'Comment', id: 2 }, ttlSeconds: 60 },
    ]);
    expect(lookups.every((lookup) => lookup.key !== undefined && lookup.html === undefined)).toBe(true);
    expect(count('getMany')).toBe(1); // the token read; no fragment read
    expect(sweeper.stats().misses).toBe(2);
  });
});

describe('renders without the cache', () => {
  const slowRender = (counter: { renders: number }, html: string) => async () => {
    counter.renders += 1;
    await new Promise((resolve) => setTimeout(resolve, 30));
    return html;
  };

  it('are shared by concurrent pages that began before the render started', async () => {
    const { backend, script } = scriptedBackend();
    const sweeper = createSweeper({ backend });
    script('getMany', 'fail');
    const counter = { renders: 0 };
    const sessions = Array.from({ length: 20 }, () => sweeper.session());
    const pages = await Promise.all(
      sessions.map((session) => sweeper.fragment(comment, 60, [], slowRender(counter, 'fresh'), { session })),
    );
    expect(new Set(pages)).toEqual(new Set(['fresh']));
    expect(counter.renders).toBe(1);
  });

  it('are not shared with a page that began after the render started (it may need newer data)', async () => {
    const { backend, script } = scriptedBackend();
    const sweeper = createSweeper({ backend });
    script('getMany', 'fail');
    const counter = { renders: 0 };
    const early = sweeper.fragment(comment, 60, [], slowRender(counter, 'before the write'));
    await new Promise((resolve) => setTimeout(resolve, 5)); // a write commits meanwhile
    const late = sweeper.fragment(comment, 60, [], slowRender(counter, 'after the write'));
    expect(await Promise.all([early, late])).toEqual(['before the write', 'after the write']);
    expect(counter.renders).toBe(2);
  });

  it('are neither shared nor joined by a read-only session', async () => {
    const { backend, script } = scriptedBackend();
    const sweeper = createSweeper({ backend });
    script('getMany', 'fail');
    const counter = { renders: 0 };
    const readOnly = sweeper.session({ store: false });
    const normal = sweeper.session();
    const pages = await Promise.all([
      sweeper.fragment(comment, 60, [], slowRender(counter, 'uncommitted'), { session: readOnly }),
      sweeper.fragment(comment, 60, [], slowRender(counter, 'committed'), { session: normal }),
    ]);
    expect(pages).toEqual(['uncommitted', 'committed']);
    expect(counter.renders).toBe(2);
  });
});

describe('invalidation outcomes', () => {
  it('say whether the bump landed and which keys it bumped, for a durable log to replay', async () => {
    const { backend, script } = scriptedBackend();
    const sweeper = createSweeper({ backend, invalidationTimeoutMs: 50 });
    const keys = sweeper.invalidationKeys([comment, { model: 'Comment', id: 2 }, comment]);
    expect(keys).toEqual([versionKey('cs', 'Comment', 1), versionKey('cs', 'Comment', 2)]);
    expect(await sweeper.invalidate(comment)).toEqual({ landed: true, keys: [keys[0]] });
    script('incr', 'hang');
    expect(await sweeper.bumpKeys(keys)).toEqual({ landed: false, keys });
    script('incr', 'ok');
    expect((await sweeper.bumpKeys(keys)).landed).toBe(true);
  });

  it('count each row once when replayed keys are hashed (names too long for memcached), the counter of its container aside', async () => {
    const sweeper = createSweeper({ backend: memoryBackend() });
    const article = `Article${'x'.repeat(260)}`;
    const comment = `Comment${'y'.repeat(260)}`;
    sweeper.declareModel(comment, { within: { [article]: 'articleId' } });
    const keys = sweeper.invalidationKeys([{ model: comment, id: 1, articleId: 7 }]);
    expect(keys).toHaveLength(2);
    expect(keys.every((key) => key.includes(':#'))).toBe(true);
    const stats = createStats();
    expect((await sweeper.bumpKeys(keys, { stats })).landed).toBe(true);
    expect(stats.invalidations).toBe(1);
  });

  it('wait for a late bump longer than a page waits for a lookup', async () => {
    const backend = memoryBackend();
    const slow = { ...backend, incr: (key: string, by: number) => delay(60).then(() => backend.incr(key, by)) };
    const sweeper = createSweeper({ backend: slow, timeoutMs: 20 });
    expect(sweeper.invalidationTimeoutMs).toBe(2000);
    expect((await sweeper.invalidate(comment)).landed).toBe(true);
  });

  it('refuse to bump keys of another namespace, or something that is no key, naming it', () => {
    const sweeper = createSweeper();
    expect(() => sweeper.bumpKeys(['other:Comment:=1'])).toThrow(
      /"other:Comment:=1" is not a version key of namespace "cs"/,
    );
    expect(() => sweeper.bumpKeys(['cs:has space'])).toThrow(/is not a version key/);
    expect(() => createSweeper({ invalidationTimeoutMs: 0 })).toThrow(
      /invalidationTimeoutMs must be a number of ms > 0, got 0/,
    );
  });
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
