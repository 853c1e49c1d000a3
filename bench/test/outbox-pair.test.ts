import { describe, expect, it } from 'vitest';
import { outboxPairOverhead } from '../src/report/save-http-sections';
import { summarize } from '../src/stats';

const measured = (name: string, times: number[]) => ({ name, times, summary: summarize(times) });

describe('outboxPairOverhead', () => {
  it('is the median of per-round ratios, the save with the outbox over the save without, minus one', () => {
    const overhead = outboxPairOverhead({
      database: 'sqlite',
      measured: [measured('with', [1.1, 2.4, 3.3]), measured('without', [1, 2, 3])],
    });
    // Ratios 1.1, 1.2, 1.1: the median is 1.1.
    expect(overhead).toBeCloseTo(0.1, 10);
  });
});
