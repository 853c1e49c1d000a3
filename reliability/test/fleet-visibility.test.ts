import { describe, expect, it } from 'vitest';
import {
  type CastVote,
  formatMs,
  latenciesOf,
  type PageRead,
  percentile,
  staleReads,
  visibilityLatency,
} from './support/fleet/visibility';

const vote: CastVote = { comment: 7, likes: 3, committedAt: 1_000 };

function read(reader: string, startedAt: number, likes: number, status = 200): PageRead {
  return { reader, startedAt, endedAt: startedAt + 10, status, likes: new Map([[7, likes]]) };
}

// The arithmetic the fleet scenarios' figures and assertions rest on.
describe('visibility figures', () => {
  it('measures from the commit to the first read after which every read shows the vote', () => {
    const reads = [
      read('P2', 900, 3),
      read('P2', 1_100, 2),
      read('P2', 1_300, 3),
      read('P2', 1_500, 2),
      read('P2', 1_700, 3),
      read('P2', 1_900, 4),
    ];
    expect(visibilityLatency(vote, reads, 'P2')).toBe(700);
  });

  it('calls a vote never visible when the last read still misses it, and unmeasured when nothing was read after it', () => {
    expect(visibilityLatency(vote, [read('P2', 1_100, 3), read('P2', 1_200, 2)], 'P2')).toBe(Number.POSITIVE_INFINITY);
    expect(visibilityLatency(vote, [read('P2', 900, 3)], 'P2')).toBeUndefined();
    expect(visibilityLatency(vote, [read('P3', 1_100, 3)], 'P2')).toBeUndefined();
  });

  it('does not count a failed read as showing the vote', () => {
    expect(visibilityLatency(vote, [read('P2', 1_100, 3), read('P2', 1_200, Number.NaN, 0)], 'P2')).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it('counts as stale the successful reads that began past the bound without the vote, each once', () => {
    const second: CastVote = { comment: 7, likes: 4, committedAt: 1_500 };
    const reads = [
      read('P2', 1_900, 2),
      read('P2', 2_100, 2),
      read('P2', 2_200, 3),
      read('P2', 2_600, 3),
      read('P2', 2_700, 4, 0),
    ];
    expect(staleReads([vote, second], reads, 1_000).map((each) => each.startedAt)).toEqual([2_100, 2_600]);
  });

  it('gives latencies per vote and reader, skipping readers with nothing to say', () => {
    const reads = [read('P2', 1_200, 3), read('P3', 1_400, 3)];
    expect(latenciesOf([vote], reads, ['P2', 'P3', 'P4'])).toEqual([200, 400]);
  });

  it('takes nearest-rank percentiles, and formats never and none', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 100)).toBe(5);
    expect(percentile([1, Number.POSITIVE_INFINITY], 100)).toBe(Number.POSITIVE_INFINITY);
    expect(formatMs(percentile([], 50))).toBe('–');
    expect(formatMs(Number.POSITIVE_INFINITY)).toBe('never');
    expect(formatMs(412.4)).toBe('412 ms');
  });
});
