import { describe, expect, it } from 'vitest';
import { type CacheSweeperError, createStats } from '../src';
import { Reporter } from '../src/reporting/reporter';

describe('the reporter', () => {
  it('counts into its totals and into every sink given, and hands out copies of the totals', () => {
    const reporter = new Reporter(undefined);
    const page = createStats();
    reporter.count('hits', [page, undefined], 3);
    const totals = reporter.totals();
    totals.hits = 100;
    expect(reporter.totals().hits).toBe(3);
    expect(page.hits).toBe(3);
  });

  it('counts an error, tells onError, and survives an onError that throws', () => {
    const told: CacheSweeperError[] = [];
    const reporter = new Reporter((error) => {
      told.push(error);
      throw new Error('listener bug');
    });
    reporter.reportRound('memcached get fragments', new Error('ECONNRESET'));
    expect(told.map((error) => error.message)).toEqual([
      '[cachesweeper] [sweeper] memcached get fragments failed: ECONNRESET',
    ]);
    expect(told[0]?.cause).toBeInstanceOf(Error);
    expect(reporter.totals().errors).toBe(1);
  });
});
