import { describe, expect, it } from 'vitest';
import { pairedRatios } from '../src/ab/paired-ratios';

describe('pairedRatios', () => {
  it('takes the ratio of each round, not the ratio of the medians', () => {
    // Round by round B is twice A, though the rounds' own times differ tenfold.
    const a = [1, 10, 2, 20, 3];
    const b = a.map((value) => value * 2);
    expect(pairedRatios(a, b)).toEqual({ median: 2, low: 2, high: 2 });
  });

  it('gives the median and middle half of the per-round ratios', () => {
    const ratios = pairedRatios([1, 1, 1, 1, 1], [0.5, 0.75, 1, 1.25, 1.5]);
    expect(ratios).toEqual({ median: 1, low: 0.75, high: 1.25 });
  });

  it('refuses timings of different lengths, or none, naming both counts', () => {
    expect(() => pairedRatios([1, 2], [1])).toThrow(/same number of rounds, got 2 and 1/);
    expect(() => pairedRatios([], [])).toThrow(/got 0 and 0/);
  });
});
