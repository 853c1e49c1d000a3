import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './context';

/** close: idempotent, and nothing works afterwards. */
export function closeTests(ctx: SuiteContext): void {
  describe('close', () => {
    it('can be called twice', async () => {
      await ctx.backend().close();
      await expect(ctx.backend().close()).resolves.toBeUndefined();
    });

    it('rejects operations after close instead of hanging', async () => {
      await ctx.backend().close();
      await expect(ctx.backend().get(ctx.key())).rejects.toThrow(/close/);
      await expect(ctx.backend().set(ctx.key(), 'v', 0)).rejects.toThrow(/close/);
    });
  });
}
