import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './context';

/** Values up to the item limit round-trip; larger ones are cleanly not cached and break nothing. */
export function largeValueTests(ctx: SuiteContext): void {
  describe('large values', () => {
    it('round-trips a value of exactly maxValueBytes', async () => {
      const key = ctx.key();
      const value = 'a'.repeat(ctx.backend().maxValueBytes);
      expect(await ctx.backend().set(key, value, 0)).toBe(true);
      expect(await ctx.backend().get(key)).toBe(value);
    });

    it('refuses a value one byte over the limit, and keeps serving other keys', async () => {
      const [big, other] = [ctx.key('big'), ctx.key('other')];
      await ctx.backend().set(other, 'still here', 0);
      expect(await ctx.backend().set(big, 'a'.repeat(ctx.backend().maxValueBytes + 1), 0)).toBe(false);
      expect(await ctx.backend().add(ctx.key(), 'a'.repeat(ctx.backend().maxValueBytes + 1), 0)).toBe(false);
      expect(await ctx.backend().get(big)).toBeUndefined();
      expect(await ctx.backend().get(other)).toBe('still here');
      expect(await ctx.backend().set(big, 'small', 0)).toBe(true);
      expect(await ctx.backend().get(big)).toBe('small');
    });

    it('drops the old value of a key when a new one is refused as too large', async () => {
      const key = ctx.key();
      await ctx.backend().set(key, 'old', 0);
      expect(await ctx.backend().set(key, 'a'.repeat(ctx.backend().maxValueBytes + 1), 0)).toBe(false);
      expect(await ctx.backend().get(key)).toBeUndefined();
    });

    it('counts the limit in bytes of UTF-8, not in characters', async () => {
      const key = ctx.key();
      const chars = Math.floor(ctx.backend().maxValueBytes / 3) + 1; // 3 bytes each in UTF-8
      expect(await ctx.backend().set(key, '€'.repeat(chars), 0)).toBe(false);
      expect(await ctx.backend().get(key)).toBeUndefined();
    });

    it("refuses 1 MiB + 1 KiB (over memcached's item limit)", async () => {
      const key = ctx.key();
      expect(await ctx.backend().set(key, 'x'.repeat(1024 * 1024 + 1024), 0)).toBe(false);
      expect(await ctx.backend().get(key)).toBeUndefined();
    });
  });
}
