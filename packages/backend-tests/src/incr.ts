import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './context';

/** incr: the version counters; missing is `undefined`, values stay exact below 2^53. */
export function incrTests(ctx: SuiteContext): void {
  describe('incr', () => {
    it('answers undefined for a missing key and does not create it', async () => {
      const key = ctx.key();
      expect(await ctx.backend().incr(key, 1)).toBeUndefined();
      expect(await ctx.backend().get(key)).toBeUndefined();
    });

    it('adds to a decimal counter and returns the new value', async () => {
      const key = ctx.key();
      await ctx.backend().set(key, '41', 0);
      expect(await ctx.backend().incr(key, 1)).toBe(42);
      expect(await ctx.backend().get(key)).toBe('42');
    });

    it('stays exact for counters between 2^52 and 2^53', async () => {
      const key = ctx.key();
      const start = 2 ** 52 + 123_456_789_012;
      await ctx.backend().set(key, String(start), 0);
      expect(await ctx.backend().incr(key, 1)).toBe(start + 1);
      expect(await ctx.backend().get(key)).toBe(String(start + 1));
    });

    it('gives 50 concurrent increments 50 different results', async () => {
      const key = ctx.key();
      await ctx.backend().set(key, '1000', 0);
      const results = await Promise.all(Array.from({ length: 50 }, () => ctx.backend().incr(key, 1)));
      expect(new Set(results).size).toBe(50);
      expect(await ctx.backend().get(key)).toBe('1050');
    });

    it('rejects incrementing a value that is not a counter, and keeps the value', async () => {
      const key = ctx.key();
      await ctx.backend().set(key, 'not a number', 0);
      await expect(ctx.backend().incr(key, 1)).rejects.toThrow();
      expect(await ctx.backend().get(key)).toBe('not a number');
    });
  });
}
