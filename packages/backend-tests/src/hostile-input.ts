import { CacheSweeperError } from '@cachesweeper/core';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './context';

const PROTOCOL_LOOKALIKES = [
  '\r\nflush_all\r\n',
  'END\r\n',
  'VALUE other 0 5\r\nhello\r\nEND\r\n',
  '\u0000\u0001\u001f\u007f',
  'line\nbreak\rreturn\ttab',
  ' leading and trailing ',
  'emoji 🍕 and CJK 漢字 and RTL שלום',
  '\uFEFF byte-order mark',
];

const INVALID_KEYS = [
  '',
  'has space',
  'has\nnewline',
  'has\r\nflush_all',
  'nul\u0000byte',
  'del\u007fbyte',
  'ünïcode',
  'x'.repeat(251),
  'dollar$sign',
];

/** Values are data, never protocol; keys the server would reject are never sent. */
export function hostileInputTests(ctx: SuiteContext): void {
  describe('hostile input', () => {
    it('round-trips values that look like protocol lines, control bytes and all of Unicode', async () => {
      for (const value of PROTOCOL_LOOKALIKES) {
        const key = ctx.key();
        expect(await ctx.backend().set(key, value, 0)).toBe(true);
        expect(await ctx.backend().get(key)).toBe(value);
      }
    });

    it('round-trips a lone surrogate exactly, or cleanly does not cache it', async () => {
      const key = ctx.key();
      const value = 'lone \uD800 surrogate';
      const stored = await ctx.backend().set(key, value, 0);
      expect(await ctx.backend().get(key)).toBe(stored ? value : undefined);
    });

    it('rejects keys the server would refuse without touching other keys', async () => {
      const canary = ctx.key('canary');
      await ctx.backend().set(canary, 'canary', 0);
      for (const key of INVALID_KEYS) {
        await expect(ctx.backend().set(key, 'v', 0), `set ${JSON.stringify(key)}`).rejects.toBeInstanceOf(
          CacheSweeperError,
        );
        await expect(ctx.backend().get(key), `get ${JSON.stringify(key)}`).rejects.toBeInstanceOf(CacheSweeperError);
        await expect(ctx.backend().getMany([canary, key])).rejects.toBeInstanceOf(CacheSweeperError);
        await expect(ctx.backend().incr(key, 1)).rejects.toBeInstanceOf(CacheSweeperError);
      }
      expect(await ctx.backend().get(canary)).toBe('canary');
    });
  });
}
