import { describe, expect, it } from 'vitest';
import { RejoinPacing } from '../src/rejoin-pacing';
import { ReplayJournal } from '../src/replay-journal';

const settings = { retryMs: 100, maxRetryMs: 1000, minFlushIntervalMs: 5000 };

describe('RejoinPacing', () => {
  it('probes a server that went down after retryMs, doubling the wait after each failed probe up to maxRetryMs', () => {
    const pacing = new RejoinPacing(settings);
    pacing.wentDown(0);
    const waits = [pacing.nextProbeInMs()];
    for (let probe = 0; probe < 6; probe++) {
      pacing.probeFailed();
      waits.push(pacing.nextProbeInMs());
    }
    expect(waits).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('keeps the wait of a server that fails again soon after it came back, and grows it as its probes fail', () => {
    const pacing = new RejoinPacing(settings);
    pacing.wentDown(0);
    pacing.probeFailed();
    pacing.probeFailed();
    pacing.cameBack(700);
    pacing.wentDown(1000); // 300 ms after it came back
    expect(pacing.nextProbeInMs()).toBe(400);
    pacing.probeFailed();
    expect(pacing.nextProbeInMs()).toBe(800);
  });

  it('takes back after retryMs, each time, a server whose link stalls often but whose probes answer', () => {
    const pacing = new RejoinPacing(settings);
    const waits: number[] = [];
    let now = 0;
    for (let stall = 0; stall < 5; stall++) {
      pacing.wentDown(now);
      waits.push(pacing.nextProbeInMs());
      now += pacing.nextProbeInMs();
      pacing.cameBack(now);
      now += 300;
    }
    expect(waits).toEqual([100, 100, 100, 100, 100]);
  });

  it('forgets the flapping once the server stayed up maxRetryMs', () => {
    const pacing = new RejoinPacing(settings);
    pacing.wentDown(0);
    pacing.probeFailed();
    pacing.cameBack(200);
    pacing.wentDown(1200);
    expect(pacing.nextProbeInMs()).toBe(100);
  });

  it('allows one flush per minFlushIntervalMs, and says how long until the next', () => {
    const pacing = new RejoinPacing(settings);
    expect(pacing.flushAllowedInMs(0)).toBe(0);
    pacing.flushed(1000);
    expect(pacing.flushAllowedInMs(1000)).toBe(5000);
    expect(pacing.flushAllowedInMs(4000)).toBe(2000);
    expect(pacing.flushAllowedInMs(6000)).toBe(0);
  });
});

describe('ReplayJournal', () => {
  it('remembers the last write of each key, oldest key first', () => {
    const journal = new ReplayJournal(10);
    journal.remember({ kind: 'incr', key: 'a', by: 1 });
    journal.remember({ kind: 'incr', key: 'b', by: 1 });
    journal.remember({ kind: 'delete', key: 'a' });
    expect(journal.pending()).toEqual([
      { kind: 'incr', key: 'b', by: 1 },
      { kind: 'delete', key: 'a' },
    ]);
  });

  it('keeps a write made while an older one of the same key was being replayed', () => {
    const journal = new ReplayJournal(10);
    journal.remember({ kind: 'incr', key: 'a', by: 1 });
    const [sent] = journal.pending();
    journal.remember({ kind: 'incr', key: 'a', by: 1 });
    journal.settled(sent!);
    expect(journal.size).toBe(1);
  });

  it('gives up on replaying and asks for a flush once it would hold more than its limit', () => {
    const journal = new ReplayJournal(2);
    journal.remember({ kind: 'incr', key: 'a', by: 1 });
    journal.remember({ kind: 'incr', key: 'b', by: 1 });
    journal.remember({ kind: 'incr', key: 'a', by: 1 }); // the same key: still two
    expect(journal.needsFlush).toBe(false);
    journal.remember({ kind: 'incr', key: 'c', by: 1 });
    expect({ needsFlush: journal.needsFlush, size: journal.size }).toEqual({ needsFlush: true, size: 0 });
    journal.remember({ kind: 'incr', key: 'd', by: 1 });
    expect(journal.size).toBe(0);
    journal.flushed();
    expect({ needsFlush: journal.needsFlush, size: journal.size }).toEqual({ needsFlush: false, size: 0 });
  });
});
