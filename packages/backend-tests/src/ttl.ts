import { MAX_RELATIVE_TTL_SECONDS } from '@cachesweeper/core';
import { describe, expect, it } from 'vitest';
import { type SuiteContext, sleep } from './context';

/** Lifetimes: whole seconds, 0 = no expiry, and long TTLs that memcached would misread. */
export function ttlTests(ctx: SuiteContext): void {
  describe('TTL', () => {
    it('expires a 1-second value within 2.5 s, and keeps a 0 (no expiry) value', { timeout: 10_000 }, async () => {
      const [short, forever, added] = [ctx.key('short'), ctx.key('forever'), ctx.key('added')];
      await ctx.backend().set(short, 'v', 1);
      await ctx.backend().set(forever, 'v', 0);
      await ctx.backend().add(added, 'v', 1);
      expect(await ctx.backend().get(short)).toBe('v');
      await sleep(2_500);
      expect(await ctx.backend().getMany([short, forever, added])).toEqual([undefined, 'v', undefined]);
    });

    it('keeps the TTL of a counter across incr', { timeout: 10_000 }, async () => {
      const key = ctx.key();
      await ctx.backend().set(key, '10', 1);
      expect(await ctx.backend().incr(key, 1)).toBe(11);
      await sleep(2_500);
      expect(await ctx.backend().get(key)).toBeUndefined();
    });

    it('keeps a value whose TTL is longer than 30 days (memcached would read it as a past timestamp)', async () => {
      const key = ctx.key();
      expect(await ctx.backend().set(key, 'long-lived', MAX_RELATIVE_TTL_SECONDS + 1)).toBe(true);
      expect(await ctx.backend().add(ctx.key(), 'long-lived', 365 * 24 * 3600)).toBe(true);
      expect(await ctx.backend().get(key)).toBe('long-lived');
    });

    it('rejects a negative or fractional TTL', async () => {
      await expect(ctx.backend().set(ctx.key(), 'v', -1)).rejects.toThrow(/TTL/);
      await expect(ctx.backend().set(ctx.key(), 'v', 1.5)).rejects.toThrow(/TTL/);
    });
  });
}
