import { describe, expect, it } from 'vitest';
import { type CacheBackend, createStats, type StampedEntry, type StoredFragment } from '../src';
import { ConversationRunner } from '../src/conversations/conversation-runner';
import { newPageState } from '../src/page/page-state';
import { Reporter } from '../src/reporting/reporter';
import { Telemetry } from '../src/telemetry/telemetry';
import { WriteBatcher } from '../src/writes/write-batcher';
import { scriptedBackend } from './support/scripted-backend';

function batcher(options: { sync?: boolean } = {}) {
  const scripted = scriptedBackend(options);
  const reporter = new Reporter(undefined);
  const telemetry = new Telemetry(false, scripted.backend.name, 'cs', false);
  const writes = new WriteBatcher(new ConversationRunner(scripted.backend, 100, reporter, telemetry), reporter);
  return { ...scripted, reporter, writes };
}

const entry = (key: string) => ({ key, value: `|${key}`, ttlSeconds: 60 });

describe('the write batcher', () => {
  it('writes everything queued in one turn, by several pages, in one round after the turn', async () => {
    const { writes, count, real, reporter } = batcher();
    const first = createStats();
    const second = createStats();
    const landed = [
      writes.queue([entry('cs:a'), entry('cs:b')], newPageState({ stats: first })),
      writes.queue([entry('cs:c')], newPageState({ stats: second })),
    ];
    expect(count('setMany')).toBe(0);
    await Promise.all(landed);
    expect(count('setMany')).toBe(1);
    expect(await real.get('cs:c')).toBe('|cs:c');
    expect([first.stores, second.stores, reporter.totals().roundTrips]).toEqual([2, 1, 1]);
  });

  it('writes nothing for a page that must not store, and nothing after close', async () => {
    const { writes, count } = batcher();
    await writes.queue([entry('cs:a')], newPageState({ store: false }));
    writes.close();
    await writes.queue([entry('cs:b')], newPageState());
    expect(count('setMany')).toBe(0);
  });

  it('reports a failed round without rejecting, and idle() waits for it', async () => {
    const { writes, script, reporter } = batcher();
    script('setMany', 'fail');
    void writes.queue([entry('cs:a')], newPageState());
    await writes.idle();
    expect(reporter.totals()).toMatchObject({ errors: 1, stores: 0 });
  });

  it('writes at once through the synchronous face, and makes the page skip the cache when that fails', () => {
    const { writes, real } = batcher({ sync: true });
    const page = newPageState();
    writes.writeNow([entry('cs:a')], page);
    expect(real.sync?.getMany(['cs:a'])).toEqual(['|cs:a']);
    expect(page.available).toBe(true);
    writes.writeNow([{ key: 'not a key', value: 'x', ttlSeconds: 0 }], page);
    expect(page.available).toBe(false);
  });

  describe('with stamped stores (a backend whose leases answer the stamp of each write)', () => {
    /** A memory backend whose `leases.store` writes as `set` does and answers stamps 1, 2, …; `refuse` keys answer none. */
    function stamping(refuse: ReadonlySet<string> = new Set(), fail = false) {
      const scripted = scriptedBackend();
      const stores: StampedEntry[][] = [];
      let stamp = 0;
      const store = async (entries: readonly StampedEntry[]) => {
        stores.push([...entries]);
        if (fail) throw new Error('scripted store failure');
        return Promise.all(
          entries.map(async (entry) => {
            if (refuse.has(entry.key)) return undefined;
            await scripted.real.set(entry.key, entry.value, entry.ttlSeconds);
            return String(++stamp);
          }),
        );
      };
      const backend: CacheBackend = {
        ...scripted.backend,
        leases: { read: async () => [], release: async () => false, store },
      };
      const reporter = new Reporter(undefined);
      const telemetry = new Telemetry(false, backend.name, 'cs', false);
      const kept: [string, StoredFragment, string | undefined][] = [];
      const runner = new ConversationRunner(backend, 100, reporter, telemetry);
      const writes = new WriteBatcher(runner, reporter, {
        keep: (key, fragment, given) => kept.push([key, fragment, given]),
        stamped: true,
      });
      return { ...scripted, stores, kept, reporter, writes };
    }
    const fragment = (html: string): StoredFragment => ({ html, nested: [['cs:Comment:=1', '7']] });

    it('writes the round through leases.store and keeps each written fragment with its stamp', async () => {
      const { writes, stores, kept, count, real, reporter } = stamping();
      const stats = createStats();
      const page = newPageState({ stats });
      await Promise.all([
        writes.queue([entry('cs:a')], page, fragment('<a>')),
        writes.queue([entry('cs:b')], page, fragment('<b>')),
        writes.queue([entry('cs:plain')], page),
      ]);
      expect(stores.map((round) => round.map((written) => written.key))).toEqual([['cs:a', 'cs:b', 'cs:plain']]);
      expect(count('setMany')).toBe(0);
      expect(kept).toEqual([
        ['cs:a', fragment('<a>'), '1'],
        ['cs:b', fragment('<b>'), '2'],
      ]);
      expect(await real.get('cs:b')).toBe('|cs:b');
      expect([stats.stores, stats.writeRoundTrips, reporter.totals().roundTrips]).toEqual([3, 1, 1]);
    });

    // A process whose link to a server is bad renders the fragment once, not on every page.
    it('keeps what was not stored, or whose round failed, without a stamp, and does not count it', async () => {
      const refused = stamping(new Set(['cs:big']));
      const stats = createStats();
      await refused.writes.queue([entry('cs:big')], newPageState({ stats }), fragment('<big>'));
      expect([refused.kept, stats.stores]).toEqual([[['cs:big', fragment('<big>'), undefined]], 0]);
      const failing = stamping(new Set(), true);
      await failing.writes.queue([entry('cs:a')], newPageState(), fragment('<a>'));
      expect(failing.kept).toEqual([['cs:a', fragment('<a>'), undefined]]);
      expect(failing.reporter.totals()).toMatchObject({ errors: 1, stores: 0 });
    });

    it('keeps written copies without stamps when rounds go through setMany', async () => {
      const { backend, count } = scriptedBackend();
      const reporter = new Reporter(undefined);
      const telemetry = new Telemetry(false, backend.name, 'cs', false);
      const kept: [string, StoredFragment, string | undefined][] = [];
      const writes = new WriteBatcher(new ConversationRunner(backend, 100, reporter, telemetry), reporter, {
        keep: (key, fragment, given) => kept.push([key, fragment, given]),
        stamped: false,
      });
      await writes.queue([entry('cs:a')], newPageState(), fragment('<a>'));
      expect([count('setMany'), kept]).toEqual([1, [['cs:a', fragment('<a>'), undefined]]]);
    });
  });
});
