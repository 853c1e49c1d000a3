import { describe, expect, it } from 'vitest';
import { createStats } from '../src';
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
});
