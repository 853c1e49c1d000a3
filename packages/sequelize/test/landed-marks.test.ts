import { type CacheEntry, createSweeper, memoryBackend } from '@cachesweeper/core';
import { describe, expect, it } from 'vitest';
import { LandedMarks, landedMarkKey } from '../src/outbox/landed-marks';

describe('LandedMarks', () => {
  it("writes the marks of one turn's commits in one round, after the turn, and reads them back", async () => {
    const backend = memoryBackend();
    const rounds: string[][] = [];
    const setMany = backend.setMany!.bind(backend);
    backend.setMany = (entries: readonly CacheEntry[]) => {
      rounds.push(entries.map((entry) => entry.key));
      return setMany(entries);
    };
    const sweeper = createSweeper({ backend });
    const marks = new LandedMarks(sweeper);
    const first = marks.mark(['a']);
    const second = marks.mark(['b', 'c']);
    expect(rounds).toEqual([]); // nothing on the committing turn
    await Promise.all([first, second]);
    expect(rounds).toEqual([['a', 'b', 'c'].map((id) => landedMarkKey(sweeper.namespace, id))]);
    await marks.mark(['d']);
    expect(rounds).toHaveLength(2);
    expect([...(await marks.landed(['a', 'c', 'd', 'e']))]).toEqual(['a', 'c', 'd']);
  });

  it('resolves, never rejects, when the cache refuses the marks (a lost mark costs one extra bump)', async () => {
    const backend = memoryBackend();
    backend.setMany = () => {
      throw new Error('down');
    };
    const marks = new LandedMarks(createSweeper({ backend }));
    await expect(marks.mark(['a'])).resolves.toBeUndefined();
    expect((await marks.landed(['a'])).size).toBe(0);
  });
});
