import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './context';

/** add: stores only when the key is absent, and exactly one of concurrent adds wins. */
export function addTests(ctx: SuiteContext): void {
  describe('add', () => {
    it('stores a missing key and reports true', async () => {
      const key = ctx.key();
      expect(await ctx.backend().add(key, 'new', 0)).toBe(true);
      expect(await ctx.backend().get(key)).toBe('new');
    });

    it('leaves an existing key alone and reports false', async () => {
      const key = ctx.key();
      await ctx.backend().set(key, 'old', 0);
      expect(await ctx.backend().add(key, 'new', 0)).toBe(false);
      expect(await ctx.backend().get(key)).toBe('old');
    });

    it('lets exactly one of 20 concurrent adds win', async () => {
      const key = ctx.key();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) => ctx.backend().add(key, `w${index}`, 0)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await ctx.backend().get(key)).toBe(`w${results.indexOf(true)}`);
    });
  });
}
