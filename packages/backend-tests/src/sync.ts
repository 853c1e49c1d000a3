import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './context';

/** The synchronous face, for backends that offer one: same answers as the async methods. */
export function syncTests(ctx: SuiteContext): void {
  describe('synchronous access', () => {
    it('sees what the async face wrote and the other way round', async () => {
      const sync = ctx.backend().sync;
      if (!sync) throw new Error('syncTests ran on a backend without sync access');
      const [a, b, counter] = [ctx.key('a'), ctx.key('b'), ctx.key('counter')];
      await ctx.backend().set(a, 'A', 0);
      expect(sync.set(b, 'B', 0)).toBe(true);
      expect(sync.getMany([a, b, ctx.key()])).toEqual(['A', 'B', undefined]);
      expect(sync.add(a, 'again', 0)).toBe(false);
      expect(sync.incr(counter, 1)).toBeUndefined();
      await ctx.backend().set(counter, '7', 0);
      expect(sync.incr(counter, 2)).toBe(9);
      expect(await ctx.backend().get(b)).toBe('B');
    });
  });
}
