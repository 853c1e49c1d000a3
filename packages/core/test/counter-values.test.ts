import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCounterValue } from '../src';

describe('isCounterValue', () => {
  it('accepts decimal integers below 2^53 and refuses 2^53 and beyond', () => {
    for (const ok of ['0', '7', '000', '4503599627370496', '9007199254740991', '0009007199254740']) {
      expect(isCounterValue(ok), ok).toBe(true);
    }
    for (const bad of ['9007199254740992', '9007199254740993', '9999999999999999', '10000000000000000', '']) {
      expect(isCounterValue(bad), bad).toBe(false);
    }
  });

  it('refuses anything but ASCII digits', () => {
    for (const bad of ['-1', '+1', '1.5', '1e3', ' 1', '1 ', '0x10', '١٢', 'NaN', 'Infinity', '12\r\n']) {
      expect(isCounterValue(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('agrees with the number the text spells, for any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.stringMatching(/^\d{1,17}$/), fc.bigInt({ min: 0n, max: 2n ** 54n }).map(String)),
        (text) => {
          const expected = /^\d{1,16}$/.test(text) && BigInt(text) < 2n ** 53n;
          expect(isCounterValue(text)).toBe(expected);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
