import { describe, expect, it } from 'vitest';
import { createSweeper, FragmentSlot } from '../src';
import { nestedTokensOf } from '../src/page/nested-tokens';

const sweeper = createSweeper({ models: { Comment: { within: { Article: 'articleId' } } } });
const page = (tokens: Map<string, string | null>, rounds: Record<string, number> = {}) => ({
  tokens,
  tokenRounds: new Map(Object.entries(rounds)),
});
const slot = (id: number, nested: FragmentSlot['nested'], key: string | undefined = `k${id}`, articleId?: number) => {
  const target = articleId === undefined ? { model: 'Comment', id } : { model: 'Comment', id, articleId };
  const found = new FragmentSlot(sweeper.plan({ target, ttlSeconds: 60 }), {
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
    const nested = nestedTokensOf([slot(1, [['cs:Vote:=9', '99']]), slot(2, [['cs:Vote:=9', '99']])], page(tokens));
    expect(nested).toEqual([
      ['cs:Comment:=1', '11'],
      ['cs:Vote:=9', '99'],
      ['cs:Comment:=2', '22'],
    ]);
  });

  it('are unknown when the children are, when a child could not be keyed, or when its token was not read', () => {
    const tokens = new Map<string, string | null>([['cs:Comment:=1', '11']]);
    expect(nestedTokensOf(null, page(tokens))).toBeNull();
    expect(nestedTokensOf([slot(1, null)], page(tokens))).toBeNull();
    expect(nestedTokensOf([slot(1, undefined)], page(tokens))).toBeNull();
    expect(nestedTokensOf([slot(2, [])], page(tokens))).toBeNull();
    expect(nestedTokensOf([], page(tokens))).toEqual([]);
  });

  describe('of children declared within the rendering row', () => {
    const contents = 'cs:Article:=7:&';
    const tokens = new Map<string, string | null>([
      [contents, '70'],
      ['cs:Comment:=1', '11'],
      ['cs:Comment:=2', '22'],
    ]);

    it('record the row’s contents counter for a child within that row read after it, and keep what it nests', () => {
      const rounds = { [contents]: 1, 'cs:Comment:=1': 2, 'cs:Comment:=2': 2 };
      const children = [slot(1, [['cs:User:=3', '33']], 'k1', 7), slot(2, [], 'k2', 8)];
      expect(nestedTokensOf(children, page(tokens, rounds), contents)).toEqual([
        [contents, '70'],
        ['cs:User:=3', '33'],
        ['cs:Comment:=2', '22'], // within article 8: another page's row
      ]);
    });

    it('record the row’s contents counter once, however many children it stands for', () => {
      const rounds = { [contents]: 1, 'cs:Comment:=1': 2, 'cs:Comment:=2': 3 };
      const children = [slot(1, [], 'k1', 7), slot(2, [], 'k2', 7)];
      expect(nestedTokensOf(children, page(tokens, rounds), contents)).toEqual([[contents, '70']]);
    });

    it('keep the counter of a child read in the same round as the contents counter, or before it', () => {
      const same = { [contents]: 1, 'cs:Comment:=1': 1 };
      const before = { [contents]: 2, 'cs:Comment:=1': 1 };
      for (const rounds of [same, before]) {
        expect(nestedTokensOf([slot(1, [], 'k1', 7)], page(tokens, rounds), contents)).toEqual([
          ['cs:Comment:=1', '11'],
        ]);
      }
    });

    it('keep the counter of a child whose target does not say which row it lives within', () => {
      const rounds = { [contents]: 1, 'cs:Comment:=1': 2 };
      expect(nestedTokensOf([slot(1, [])], page(tokens, rounds), contents)).toEqual([['cs:Comment:=1', '11']]);
    });

    it('record each child’s counter when the contents counter could not be read (its server down)', () => {
      const unread = new Map<string, string | null>([...tokens, [contents, null]]);
      const rounds = { [contents]: 1, 'cs:Comment:=1': 2 };
      expect(nestedTokensOf([slot(1, [], 'k1', 7)], page(unread, rounds), contents)).toEqual([['cs:Comment:=1', '11']]);
    });
  });
});
