import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFragment, encodeFragment, type NestedToken } from '../src';

describe('stored fragment values', () => {
  it('round-trip any HTML, with and without nested counters', () => {
    const nested = fc.array(
      fc.tuple(
        fc.stringMatching(/^[!-#%-~]{1,60}$/),
        fc.bigInt({ min: 0n, max: 2n ** 53n - 1n }).map(String),
      ) as fc.Arbitrary<NestedToken>,
      { maxLength: 20 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), nested, (html, tokens) => {
        expect(decodeFragment(encodeFragment(html, tokens))).toEqual({ html, nested: tokens });
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a value in no known shape as a miss', () => {
    for (const value of [
      '',
      '<p>raw html</p>',
      '#',
      '#a 1',
      '#a\n<p>',
      '#a 1 b\n<p>',
      '#a x\n<p>',
      '#a b 1\n',
      '#a 9007199254740992\n',
    ]) {
      expect(decodeFragment(value), JSON.stringify(value)).toBeUndefined();
    }
  });

  it('keeps HTML that itself looks like a header', () => {
    const html = '#cs:Comment:1 5\n|<p>';
    expect(decodeFragment(encodeFragment(html))).toEqual({ html, nested: [] });
    expect(decodeFragment(encodeFragment(html, [['cs:Comment:2', '7']]))).toEqual({
      html,
      nested: [['cs:Comment:2', '7']],
    });
  });
});
