import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './context';

/** get, set, delete: the basics every backend must get right. */
export function getSetTests(ctx: SuiteContext): void {
  describe('get, set and delete', () => {
    it('answers undefined for a key never set', async () => {
      expect(await ctx.backend().get(ctx.key())).toBeUndefined();
    });

    it('returns what was set, and the latest value after an overwrite', async () => {
      const key = ctx.key();
      expect(await ctx.backend().set(key, 'first', 0)).toBe(true);
      expect(await ctx.backend().get(key)).toBe('first');
      await ctx.backend().set(key, 'second', 0);
      expect(await ctx.backend().get(key)).toBe('second');
    });

    it('stores the empty string as a value, not as a miss', async () => {
      const key = ctx.key();
      await ctx.backend().set(key, '', 0);
      expect(await ctx.backend().get(key)).toBe('');
    });

    it('deletes a key and says whether it was there', async () => {
      const key = ctx.key();
      await ctx.backend().set(key, 'v', 0);
      expect(await ctx.backend().delete(key)).toBe(true);
      expect(await ctx.backend().get(key)).toBeUndefined();
      expect(await ctx.backend().delete(key)).toBe(false);
    });

    it('keeps a value that looks like a number as a string', async () => {
      const key = ctx.key();
      await ctx.backend().set(key, '0042', 0);
      expect(await ctx.backend().get(key)).toBe('0042');
    });
  });
}
