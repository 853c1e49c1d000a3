import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CacheBackend, createSweeper, memoryBackend } from '../src';

/** A memory backend that records every counter value it hands out (fresh starts and increments), per key. */
function recordingBackend(maxEntries: number) {
  const real = memoryBackend({ maxEntries });
  const issued = new Map<string, number[]>();
  const record = (key: string, value: number) => {
    if (!key.includes(':=')) return; // only version counters (`<ns>:<Model>:<pk>`) and not fragments
    issued.set(key, [...(issued.get(key) ?? []), value]);
  };
  const backend: CacheBackend = {
    ...real,
    name: 'recording',
    async add(key, value, ttl) {
      const added = await real.add(key, value, ttl);
      if (added && key.split(':').length === 3) record(key, Number(value));
      return added;
    },
    async incr(key, by) {
      const value = await real.incr(key, by);
      if (value !== undefined) record(key, value);
      return value;
    },
  };
  return { backend, issued };
}

const operation = fc.oneof(
  fc.record({ kind: fc.constant('invalidate' as const), row: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ kind: fc.constant('render' as const), row: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ kind: fc.constant('evict' as const), row: fc.integer({ min: 0, max: 9 }) }),
  fc.constant({ kind: 'flush' as const, row: 0 }),
);

describe('version tokens across evictions and flushes', () => {
  it('are never issued twice for one row, and stay below 2^53', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 50, maxLength: 400 }), async (operations) => {
        // 12 entries for 10 counters and their fragments: the LRU evicts all the time.
        const { backend, issued } = recordingBackend(12);
        const sweeper = createSweeper({ backend });
        for (const { kind, row } of operations) {
          const target = { model: 'Comment', id: row };
          if (kind === 'invalidate') await sweeper.invalidate(target);
          if (kind === 'render') await sweeper.fragment(target, 60, [], () => `row ${row}`);
          if (kind === 'evict') await backend.delete(`cs:Comment:=${row}`);
          if (kind === 'flush') await backend.flush?.();
        }
        const touched = operations.some(({ kind }) => kind === 'invalidate' || kind === 'render');
        expect(issued.size > 0).toBe(touched);
        for (const [key, values] of issued) {
          expect(new Set(values).size, `${key} repeated a token: ${values.join(', ')}`).toBe(values.length);
          for (const value of values) expect(value).toBeLessThan(2 ** 53);
        }
        expect(sweeper.stats().errors).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('never serve a fragment stored before an invalidation, even when the counter was evicted in between', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 50, maxLength: 300 }), async (operations) => {
        const backend = memoryBackend({ maxEntries: 12 });
        const sweeper = createSweeper({ backend });
        const version = new Map<number, number>();
        for (const { kind, row } of operations) {
          const target = { model: 'Comment', id: row };
          const current = version.get(row) ?? 0;
          if (kind === 'invalidate') {
            version.set(row, current + 1);
            await sweeper.invalidate(target);
          }
          if (kind === 'render') {
            const html = await sweeper.fragment(target, 60, [], () => `row ${row} v${current}`);
            expect(html).toBe(`row ${row} v${current}`);
          }
          if (kind === 'evict') await backend.delete(`cs:Comment:=${row}`);
          if (kind === 'flush') await backend.flush?.();
        }
      }),
      { numRuns: 150 },
    );
  });
});
