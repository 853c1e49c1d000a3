import type { FragmentLeases, LeaseAnswer } from '@cachesweeper/core';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './context';

const LEASE_TTL = 5;

/**
 * Stamped stores (`backend.leases.store`), for backends that offer them: each entry
 * is written as `set` writes it, and its answer is the stamp a later read of that
 * copy gives, so the writer can replace its own copy by that stamp without reading it.
 */
export function stampedStoreTests(ctx: SuiteContext): void {
  const leases = (): Required<FragmentLeases> => {
    const offered = ctx.backend().leases;
    if (offered?.store === undefined) throw new Error(`the ${ctx.backend().name} backend offers no stamped stores`);
    return offered as Required<FragmentLeases>;
  };
  const readOne = async (key: string, lease?: 'if-missing'): Promise<LeaseAnswer> => {
    const [answer] = await leases().read([lease === undefined ? { key } : { key, lease }], LEASE_TTL);
    return answer as LeaseAnswer;
  };

  describe('stamped stores', () => {
    it('writes each entry as set does and answers the stamp a read of that copy gives, in order', async () => {
      const [a, b] = [ctx.key('a'), ctx.key('b')];
      const stamps = await leases().store([
        { key: a, value: 'one', ttlSeconds: 60 },
        { key: b, value: 'twö\r\nEND\r\n', ttlSeconds: 0 },
      ]);
      expect(stamps).toHaveLength(2);
      expect(await ctx.backend().getMany([a, b])).toEqual(['one', 'twö\r\nEND\r\n']);
      expect(await readOne(a)).toEqual({ kind: 'value', value: 'one', stamp: stamps[0] });
      expect(await readOne(b)).toEqual({ kind: 'value', value: 'twö\r\nEND\r\n', stamp: stamps[1] });
      const [again] = await leases().store([{ key: a, value: 'one', ttlSeconds: 60 }]);
      expect(again).not.toBe(stamps[0]);
      expect(await leases().store([])).toEqual([]);
    });

    it('ends a lease it writes over, and its stamp replaces that copy for exactly one of 10 readers', async () => {
      const key = ctx.key();
      expect((await readOne(key, 'if-missing')).kind).toBe('won');
      const [stamp] = await leases().store([{ key, value: 'rendered', ttlSeconds: 60 }]);
      expect(await readOne(key, 'if-missing')).toMatchObject({ kind: 'value', value: 'rendered' });
      const answers = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const [answer] = await leases().read([{ key, lease: 'replace', stamp: stamp as string }], LEASE_TTL);
          return answer?.kind;
        }),
      );
      expect(answers.filter((kind) => kind === 'won')).toHaveLength(1);
      expect(answers.filter((kind) => kind === 'taken')).toHaveLength(9);
    });

    it('does not store a value over maxValueBytes: answers undefined and drops the old value, as set does', async () => {
      const [big, small] = [ctx.key('big'), ctx.key('small')];
      await ctx.backend().set(big, 'old', 60);
      const stamps = await leases().store([
        { key: big, value: 'a'.repeat(ctx.backend().maxValueBytes + 1), ttlSeconds: 60 },
        { key: small, value: 'fits', ttlSeconds: 60 },
      ]);
      expect(stamps[0]).toBeUndefined();
      expect(stamps[1]).toMatch(/^\d+$/);
      expect(await ctx.backend().getMany([big, small])).toEqual([undefined, 'fits']);
    });

    it('rejects bad keys, TTLs and values at once, and none of them reaches the server', async () => {
      const canary = ctx.key('canary');
      await ctx.backend().set(canary, 'alive', 60);
      const key = ctx.key();
      const tooLarge = 'a'.repeat(ctx.backend().maxValueBytes + 1);
      const attempts: Promise<unknown>[] = [
        // A value too large beside a bad key: the whole call is refused, and the canary is not dropped for it.
        leases().store([
          { key: canary, value: tooLarge, ttlSeconds: 60 },
          { key: 'bad key', value: 'x', ttlSeconds: 60 },
        ]),
        leases().store([{ key: 'bad key\r\nflush_all', value: 'x', ttlSeconds: 60 }]),
        leases().store([{ key, value: 'x', ttlSeconds: -1 }]),
        leases().store([{ key, value: 'x', ttlSeconds: 1.5 }]),
        leases().store([{ key, value: 42 as unknown as string, ttlSeconds: 60 }]),
        leases().store([
          { key, value: 'x', ttlSeconds: 60 },
          null as unknown as { key: string; value: string; ttlSeconds: number },
        ]),
        leases().store('not an array' as unknown as []),
      ];
      for (const attempt of attempts) await expect(attempt).rejects.toThrow(/\[cachesweeper\]/);
      expect(await ctx.backend().getMany([canary, key])).toEqual(['alive', undefined]);
    });
  });
}
