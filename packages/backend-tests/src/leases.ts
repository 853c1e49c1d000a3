import type { FragmentLeases, LeaseAnswer } from '@cachesweeper/core';
import { describe, expect, it } from 'vitest';
import { type SuiteContext, sleep } from './context';

const LEASE_TTL = 5;

/**
 * Fleet-wide leases (`backend.leases`), for backends that offer them: one winner per
 * missing key, a stale copy replaced only while its stamp holds, a `set` ends a lease,
 * a release hands it on at once, and bad input never reaches the server.
 */
export function leaseTests(ctx: SuiteContext, options: { readonly ttl: boolean }): void {
  const leases = (): FragmentLeases => {
    const offered = ctx.backend().leases;
    if (offered === undefined) throw new Error(`the ${ctx.backend().name} backend offers no leases`);
    return offered;
  };
  const readOne = async (key: string, lease?: 'if-missing'): Promise<LeaseAnswer> => {
    const [answer] = await leases().read([lease === undefined ? { key } : { key, lease }], LEASE_TTL);
    return answer as LeaseAnswer;
  };
  const stampOf = (answer: LeaseAnswer | undefined): string => {
    if (answer?.kind !== 'value' && answer?.kind !== 'won') throw new Error(`no stamp in ${JSON.stringify(answer)}`);
    return answer.stamp;
  };

  describe('fragment leases', () => {
    it('gives the lease on a missing key to exactly one of 20 concurrent readers; the others see it taken', async () => {
      const key = ctx.key();
      const answers = await Promise.all(Array.from({ length: 20 }, () => readOne(key, 'if-missing')));
      expect(answers.filter((answer) => answer.kind === 'won')).toHaveLength(1);
      expect(answers.filter((answer) => answer.kind === 'taken')).toHaveLength(19);
    });

    it('reads a leased key as missing to get, getMany and a read that asks for no lease', async () => {
      const key = ctx.key();
      expect((await readOne(key, 'if-missing')).kind).toBe('won');
      expect(await ctx.backend().get(key)).toBeUndefined();
      expect(await ctx.backend().getMany([key])).toEqual([undefined]);
      expect(await readOne(key)).toEqual({ kind: 'missing' });
    });

    it('ends the lease when the key is set: the next reader gets the value and its stamp', async () => {
      const key = ctx.key();
      expect((await readOne(key, 'if-missing')).kind).toBe('won');
      await ctx.backend().set(key, 'rendered', 60);
      const answer = await readOne(key, 'if-missing');
      expect(answer).toMatchObject({ kind: 'value', value: 'rendered' });
      expect(stampOf(answer)).toMatch(/^\d+$/);
    });

    it('gives a stamp that changes when the key is written again, and keeps the order of reads, repeats included', async () => {
      const [a, b, missing] = [ctx.key('a'), ctx.key('b'), ctx.key('missing')];
      await ctx.backend().set(a, 'one', 60);
      await ctx.backend().set(b, 'two', 60);
      const first = await leases().read([{ key: b }, { key: missing }, { key: a }, { key: b }], LEASE_TTL);
      expect(first.map((answer) => (answer.kind === 'value' ? answer.value : answer.kind))).toEqual([
        'two',
        'missing',
        'one',
        'two',
      ]);
      expect(stampOf(first[0])).toBe(stampOf(first[3]));
      await ctx.backend().set(a, 'one', 60);
      expect(stampOf(await readOne(a))).not.toBe(stampOf(first[2]));
      expect(await leases().read([], LEASE_TTL)).toEqual([]);
    });

    it('answers plain reads and lease reads asked together, each in its place', async () => {
      const [stored, missing, leased] = [ctx.key('stored'), ctx.key('missing'), ctx.key('leased')];
      await ctx.backend().set(stored, 'page', 60);
      const answers = await leases().read(
        [{ key: stored }, { key: leased, lease: 'if-missing' }, { key: missing }, { key: stored }],
        LEASE_TTL,
      );
      expect(answers.map((answer) => (answer.kind === 'value' ? answer.value : answer.kind))).toEqual([
        'page',
        'won',
        'missing',
        'page',
      ]);
      expect((await readOne(leased, 'if-missing')).kind).toBe('taken');
    });

    it('replaces a stale copy by a lease for exactly one of 20 concurrent readers of that copy', async () => {
      const key = ctx.key();
      await ctx.backend().set(key, 'stale', 60);
      const stamp = stampOf(await readOne(key));
      const answers = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const [answer] = await leases().read([{ key, lease: 'replace', stamp }], LEASE_TTL);
          return answer as LeaseAnswer;
        }),
      );
      expect(answers.filter((answer) => answer.kind === 'won')).toHaveLength(1);
      expect(answers.filter((answer) => answer.kind === 'taken')).toHaveLength(19);
      expect(await ctx.backend().get(key)).toBeUndefined();
    });

    it('never deletes a value written after the copy was read: the replace reads the new value', async () => {
      const key = ctx.key();
      await ctx.backend().set(key, 'old', 60);
      const stamp = stampOf(await readOne(key));
      await ctx.backend().set(key, 'new', 60);
      const [answer] = await leases().read([{ key, lease: 'replace', stamp }], LEASE_TTL);
      expect(answer).toMatchObject({ kind: 'value', value: 'new' });
      expect(await ctx.backend().get(key)).toBe('new');
    });

    it('hands a released lease to the next reader at once, and releases nothing with another stamp', async () => {
      const key = ctx.key();
      const won = await readOne(key, 'if-missing');
      expect(await leases().release(key, `${BigInt(stampOf(won)) + 1000n}`)).toBe(false);
      expect((await readOne(key, 'if-missing')).kind).toBe('taken');
      expect(await leases().release(key, stampOf(won))).toBe(true);
      expect((await readOne(key, 'if-missing')).kind).toBe('won');
      expect(await leases().release(ctx.key('never-leased'), '1')).toBe(false);
    });

    if (options.ttl) {
      it('lets a lease nobody stores nor releases expire after its TTL', { timeout: 15_000 }, async () => {
        const key = ctx.key();
        const [first] = await leases().read([{ key, lease: 'if-missing' }], 2);
        expect(first?.kind).toBe('won');
        await sleep(3_500);
        const [next] = await leases().read([{ key, lease: 'if-missing' }], 2);
        expect(next?.kind).toBe('won');
      });
    }

    it('rejects bad keys, stamps, TTLs and lease kinds at once, and none of them reaches the server', async () => {
      const canary = ctx.key('canary');
      await ctx.backend().set(canary, 'alive', 60);
      const key = ctx.key();
      const attempts: Promise<unknown>[] = [
        leases().read([{ key: 'bad key\r\nflush_all' }], LEASE_TTL),
        leases().read([{ key, lease: 'replace', stamp: '1\r\nflush_all' }], LEASE_TTL),
        leases().read([{ key, lease: 'replace', stamp: 'C1 q' }], LEASE_TTL),
        leases().read([{ key, lease: 'if-missing' }], 0),
        leases().read([{ key, lease: 'if-missing' }], 1.5),
        leases().read([{ key, lease: 'sometimes' as 'if-missing' }], LEASE_TTL),
        leases().read('not an array' as unknown as [], LEASE_TTL),
        leases().release(key, '12 flush_all'),
        leases().release('bad key', '12'),
      ];
      for (const attempt of attempts) await expect(attempt).rejects.toThrow(/\[cachesweeper\]/);
      expect(await ctx.backend().get(canary)).toBe('alive');
      expect((await readOne(key, 'if-missing')).kind).toBe('won');
    });
  });
}
