import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './context';

/** getMany: one answer per asked key, in order, whatever the size of the list. */
export function multiGetTests(ctx: SuiteContext): void {
  describe('getMany', () => {
    it('answers an empty list with an empty list', async () => {
      expect(await ctx.backend().getMany([])).toEqual([]);
    });

    it('answers in the order asked, with undefined for missing keys and repeats answered twice', async () => {
      const [a, b, missing] = [ctx.key('a'), ctx.key('b'), ctx.key('missing')];
      await ctx.backend().set(a, 'A', 0);
      await ctx.backend().set(b, 'B', 0);
      expect(await ctx.backend().getMany([b, missing, a, b])).toEqual(['B', undefined, 'A', 'B']);
    });

    it('answers 2,000 keys at once, each with its own value', async () => {
      const keys = Array.from({ length: 2000 }, (_, index) => ctx.key(`bulk${index}`));
      await Promise.all(
        keys.map((key, index) => (index % 3 === 0 ? undefined : ctx.backend().set(key, `v${index}`, 0))),
      );
      const values = await ctx.backend().getMany(keys);
      expect(values).toHaveLength(2000);
      expect(values).toEqual(keys.map((_, index) => (index % 3 === 0 ? undefined : `v${index}`)));
    });

    it('maps a key of exactly 250 bytes back to itself', async () => {
      const base = ctx.key('long');
      const key = base + 'x'.repeat(250 - base.length);
      await ctx.backend().set(key, 'long', 0);
      expect(await ctx.backend().getMany([key, ctx.key()])).toEqual(['long', undefined]);
    });
  });
}
