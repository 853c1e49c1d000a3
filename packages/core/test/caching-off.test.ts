import { describe, expect, it } from 'vitest';
import { createSweeper } from '../src';
import { scriptedBackend } from './support/scripted-backend';

const comment = { model: 'Comment', id: 1 };

describe('createSweeper({ caching: false })', () => {
  it('renders every fragment each time and never reads nor writes the cache', async () => {
    const scripted = scriptedBackend();
    const sweeper = createSweeper({ backend: scripted.backend, caching: false });
    let renders = 0;
    const render = () => `v${++renders}`;
    expect(await sweeper.fragment(comment, 60, ['c'], render)).toBe('v1');
    await sweeper.idle();
    expect(await sweeper.fragment(comment, 60, ['c'], render)).toBe('v2');
    await sweeper.idle();
    expect(scripted.calls).toEqual([]);
    expect(sweeper.stats()).toMatchObject({ hits: 0, misses: 0, uncached: 2, stores: 0, roundTrips: 0 });
  });

  it('renders concurrent requests for one fragment each on their own, sharing nothing', async () => {
    const sweeper = createSweeper({ caching: false });
    let renders = 0;
    const render = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return `v${++renders}`;
    };
    const pages = await Promise.all([1, 2, 3].map(() => sweeper.fragment(comment, 60, [], render)));
    expect(pages.sort()).toEqual(['v1', 'v2', 'v3']);
  });

  it('lets fragmentSync render in place even on a backend without synchronous access', () => {
    const scripted = scriptedBackend();
    const sweeper = createSweeper({ backend: scripted.backend, caching: false });
    expect(sweeper.isSynchronous).toBe(true);
    const html = sweeper.fragmentSync(comment, 60, [], () =>
      ['a', 'b'].map((part) => sweeper.fragmentSync({ model: 'Tag', id: part }, 60, [], () => part)).join('+'),
    );
    expect(html).toBe('a+b');
    expect(scripted.calls).toEqual([]);
  });

  it('still bumps counters on invalidate, so turning caching back on serves nothing that changed', async () => {
    const scripted = scriptedBackend();
    const cached = createSweeper({ backend: scripted.backend });
    expect(await cached.fragment(comment, 60, [], () => 'old')).toBe('old');
    await cached.idle();
    const development = createSweeper({ backend: scripted.backend, caching: false });
    expect(await development.invalidate(comment)).toMatchObject({ landed: true });
    expect(scripted.count('incr')).toBe(1);
    expect(await cached.fragment(comment, 60, [], () => 'new')).toBe('new');
  });

  it('refuses a caching option that is not a boolean, naming it', () => {
    expect(() => createSweeper({ caching: 'no' as never })).toThrow(
      '[cachesweeper] [sweeper] caching must be true or false, got "no"',
    );
  });
});
