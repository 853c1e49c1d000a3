import { describe, expect, it } from 'vitest';
import { readValueLine } from '../src/value-line';

const LARGEST = 1024 * 1024 * 1024;
/** Reads `text` placed inside a larger buffer, as it sits in a socket chunk. */
function read(text: string) {
  const chunk = Buffer.from(`xx${text}\r\nVALUE next 0 1\r\n`, 'latin1');
  return readValueLine(chunk, 2, 2 + Buffer.byteLength(text, 'latin1'), LARGEST);
}

describe('readValueLine', () => {
  it('reads the key, flags, bytes and cas of a well-formed line', () => {
    expect(read('VALUE cs:Comment:=1 0 12')).toEqual({ kind: 'value', key: 'cs:Comment:=1', flags: 0, bytes: 12 });
    expect(read('VALUE k 4294967295 1073741824 18446744073709551615')).toEqual({
      kind: 'value',
      key: 'k',
      flags: 0xffffffff,
      bytes: LARGEST,
      cas: '18446744073709551615',
    });
    expect(read('VALUE k 007 0')).toEqual({ kind: 'value', key: 'k', flags: 7, bytes: 0 });
  });

  it.each([
    ['another line', 'VA 2 c1'],
    ['END', 'END'],
    ['no key', 'VALUE  0 1'],
    ['no bytes', 'VALUE k 0'],
    ['no bytes after a space', 'VALUE k 0 '],
    ['a trailing space', 'VALUE k 0 1 '],
    ['flags too large', 'VALUE k 4294967296 1'],
    ['eleven digits of flags', 'VALUE k 00000000001 1'],
    ['bytes past the largest item', 'VALUE k 0 1073741825'],
    ['letters in the bytes', 'VALUE k 0 1x'],
    ['a negative number', 'VALUE k -1 1'],
    ['letters in the cas', 'VALUE k 0 1 12a'],
    ['21 digits of cas', 'VALUE k 0 1 123456789012345678901'],
    ['a fifth field', 'VALUE k 0 1 2 3'],
    ['a lowercase tag', 'value k 0 1'],
  ])('refuses %s (undefined)', (_, text) => {
    expect(read(text)).toBeUndefined();
  });
});
