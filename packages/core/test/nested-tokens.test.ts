import { describe, expect, it } from 'vitest';
import { createSweeper, FragmentSlot } from '../src';
import { nestedTokensOf } from '../src/page/nested-tokens';

const sweeper = createSweeper();
const slot = (id: number, nested: FragmentSlot['nested'], key: string | undefined = `k${id}`) => {
  const found = new FragmentSlot(sweeper.plan({ target: { model: 'Comment', id }, ttlSeconds: 60 }), {
    key,
    html: undefined,
  });
  found.nested = nested;
  return found;
};

describe('the counters a rendering nests', () => {
  it('are each child own counter, as the page read it, and what each child nests, once each', () => {
    const tokens = new Map<string, string | null>([
      ['cs:Comment:=1', '11'],
      ['cs:Comment:=2', '22'],
    ]);
    const nested = nestedTokensOf([slot(1, [['cs:Vote:=9', '99']]), slot(2, [['cs:Vote:=9', '99']])], tokens);
    expect(nested).toEqual([
      ['cs:Comment:=1', '11'],
      ['cs:Vote:=9', '99'],
      ['cs:Comment:=2', '22'],
    ]);
  });

  it('are unknown when the children are, when a child could not be keyed, or when its token was not read', () => {
    const tokens = new Map<string, string | null>([['cs:Comment:=1', '11']]);
    expect(nestedTokensOf(null, tokens)).toBeNull();
    expect(nestedTokensOf([slot(1, null)], tokens)).toBeNull();
    expect(nestedTokensOf([slot(1, undefined)], tokens)).toBeNull();
    expect(nestedTokensOf([slot(2, [])], tokens)).toBeNull();
    expect(nestedTokensOf([], tokens)).toEqual([]);
  });
});
