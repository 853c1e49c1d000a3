import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderCached } from '../src';
import { joinTrimmed } from '../src/render/trim-pieces';
import { setup } from './support';

// Every kind of character String#trim removes, and some it keeps.
const WHITESPACE = [
  ' ',
  '\t',
  '\n',
  '\r',
  '\v',
  '\f',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2028',
  '\u2029',
  '\u3000',
  '\ufeff',
];
const piece = fc
  .array(fc.constantFrom(...WHITESPACE, 'a', '<p>', '\u200b', 'é'), { maxLength: 6 })
  .map((parts) => parts.join(''));

describe('joinTrimmed: a trimmed page built from its pieces', () => {
  it('is what trimming the joined pieces gives, for any pieces', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        expect(joinTrimmed(pieces)).toBe(pieces.join('').trim());
      }),
      { numRuns: 2000 },
    );
  });

  it('handles no pieces, blank pieces and one piece', () => {
    expect(joinTrimmed([])).toBe('');
    expect(joinTrimmed([' ', '\n', ''])).toBe('');
    expect(joinTrimmed(['  x  '])).toBe('x');
    expect(joinTrimmed([' \n', ' a ', ' ', 'b\t', ' '])).toBe('a  b');
  });

  it("renderCached's trim option gives the trimmed page, cold and warm, with blocks at its ends", async () => {
    const { handlebars, sweeper } = setup();
    const template = handlebars.compile(
      '  {{#cachesweeper a 60}}  <a> {{/cachesweeper}} mid {{#cachesweeper b 60}}\n<b>\n{{/cachesweeper}}\n',
    );
    const context = { a: { model: 'A', id: 1 }, b: { model: 'B', id: 1 } };
    const untrimmed = await renderCached(template, context);
    await sweeper.idle();
    expect(await renderCached(template, context, { trim: true })).toBe(untrimmed.trim());
    expect(await renderCached(template, context, { trim: true })).toBe('<a>  mid \n<b>');
    const plain = handlebars.compile('\n  no blocks  \n');
    expect(await renderCached(plain, {}, { trim: true })).toBe('no blocks');
  });
});
