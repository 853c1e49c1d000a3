import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFragment, encodeFragment, type NestedToken } from '../src';
import { expiryOf } from '../src/fragments/stored-fragment';

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
    // 2,000 generated values: seconds of CPU on a loaded machine, so more time than the 5 s default.
  }, 60_000);

  it('round-trip the render time stored with them (telemetry on), in both shapes', () => {
    const nested: NestedToken[] = [['cs:Comment:=1', '4503599627370497']];
    expect(encodeFragment('<p>', [], 1234)).toBe('~1234|<p>');
    expect(decodeFragment('~1234|<p>')).toEqual({ html: '<p>', nested: [], renderMicros: 1234 });
    expect(decodeFragment(encodeFragment('~5|x', nested, 0))).toEqual({ html: '~5|x', nested, renderMicros: 0 });
    for (const value of ['~', '~|x', '~12a|x', '~1234', '~-1|x', `~${'9'.repeat(16)}|x`, '~12~3|x']) {
      expect(decodeFragment(value), JSON.stringify(value)).toBeUndefined();
    }
  });

  it('round-trip the expiry stored with a fragment that has a TTL, before the render time', () => {
    const nested: NestedToken[] = [['cs:Comment:=1', '7']];
    expect(encodeFragment('<p>', [], undefined, 1_800_000_000)).toBe('@1800000000|<p>');
    expect(encodeFragment('<p>', nested, 12, 1_800_000_000)).toBe('@1800000000~12#cs:Comment:=1 7\n<p>');
    expect(decodeFragment('@1800000000~12#cs:Comment:=1 7\n<p>')).toEqual({
      html: '<p>',
      nested,
      renderMicros: 12,
      expiresAt: 1_800_000_000,
    });
    expect(decodeFragment('@1800000000|<p>')).toEqual({ html: '<p>', nested: [], expiresAt: 1_800_000_000 });
    expect(expiryOf(60, 1_800_000_000_999)).toBe(1_800_000_060);
    expect(expiryOf(0, 1_800_000_000_999)).toBeUndefined();
    for (const value of ['@', '@|x', '@12a|x', '@1800000000', `@${'9'.repeat(12)}|x`, '~12@1800000000|x', '@1@2|x']) {
      expect(decodeFragment(value), JSON.stringify(value)).toBeUndefined();
    }
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

describe('FragmentDecoder', () => {
  it('reuses a parsed header while the value keeps it, and parses again when it changes', async () => {
    const { FragmentDecoder } = await import('../src/fragments/fragment-decoder');
    const decoder = new FragmentDecoder();
    const first = decoder.decode('k', encodeFragment('<a>', [['cs:C:=1', '5']]));
    const again = decoder.decode('k', encodeFragment('<b>', [['cs:C:=1', '5']]));
    expect(again).toEqual({ html: '<b>', nested: [['cs:C:=1', '5']] });
    expect(again?.nested).toBe(first?.nested);
    expect(decoder.decode('k', encodeFragment('<c>', [['cs:C:=1', '6']]))).toEqual({
      html: '<c>',
      nested: [['cs:C:=1', '6']],
    });
    // A header that is a prefix of another one is not mistaken for it.
    expect(decoder.decode('k', encodeFragment('<d>', [['cs:C:=1', '61']]))?.nested).toEqual([['cs:C:=1', '61']]);
    expect(decoder.decode('k', encodeFragment('<e>'))).toEqual({ html: '<e>', nested: [] });
    expect(decoder.decode('k', 'garbage')).toBeUndefined();
  });

  it('keeps the render time of a reused header, and reads a new one when the value changes', async () => {
    const { FragmentDecoder } = await import('../src/fragments/fragment-decoder');
    const decoder = new FragmentDecoder();
    const nested: NestedToken[] = [['cs:C:=1', '5']];
    decoder.decode('k', encodeFragment('<a>', nested, 700));
    expect(decoder.decode('k', encodeFragment('<b>', nested, 700))).toEqual({ html: '<b>', nested, renderMicros: 700 });
    expect(decoder.decode('k', encodeFragment('<c>', nested, 90))).toEqual({ html: '<c>', nested, renderMicros: 90 });
    expect(decoder.decode('k', encodeFragment('<d>', nested))).toEqual({ html: '<d>', nested });
  });
});
