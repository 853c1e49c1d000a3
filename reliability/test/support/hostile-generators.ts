import { DEFAULT_MAX_VALUE_BYTES, type KeyPart } from '@cachesweeper/core';

/** Strings that have broken memcached clients or servers: protocol lines, injections, escapes. */
const HOSTILE_SNIPPETS = [
  '\r\nflush_all\r\n',
  'x\r\nset canary:0 0 0 5\r\nowned\r\n',
  'END',
  '\r\nEND\r\n',
  'END\r\n',
  'VALUE k 0 5\r\n',
  'VALUE canary:0 0 5\r\nowned\r\nEND\r\n',
  '\r\n',
  '\n',
  '\r',
  '\\\r\\\n',
  '\\r\\n',
  '\\',
  '\0',
  ' ',
  '\t',
  '$&',
  "$'",
  '$$',
  '$`',
  '%',
  '~',
  ':',
  '#',
  '\u007f',
  '\u00ff',
  '\u2028',
  '\ufeff',
  '😀',
  'ä',
  'STORED\r\n',
  'SERVER_ERROR out of memory\r\n',
  'delete canary:0\r\n',
];

/** A text fragment from one alphabet: protocol snippets, control bytes, printable ASCII, any Unicode, protocol words. */
function chunk(random: () => number, length: number): string {
  const alphabet = Math.floor(random() * 5);
  let out = '';
  while (out.length < length) {
    switch (alphabet) {
      case 0:
        out += HOSTILE_SNIPPETS[Math.floor(random() * HOSTILE_SNIPPETS.length)];
        break;
      case 1: // bytes 0x00-0x1F and 0x7F, spaces
        out += String.fromCharCode(random() < 0.1 ? 0x7f : random() < 0.2 ? 0x20 : Math.floor(random() * 0x20));
        break;
      case 2:
        out += String.fromCharCode(0x20 + Math.floor(random() * 0x5f));
        break;
      case 3: // any code point but the surrogate range
        out += String.fromCodePoint(codePoint(random));
        break;
      default:
        out += random() < 0.5 ? 'END' : 'VALUE';
        out += random() < 0.5 ? '\r\n' : ' ';
    }
  }
  // Cutting an astral character in half would leave a lone surrogate: pad with ASCII instead.
  const cut = out.slice(0, length);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? `${cut.slice(0, -1)}x` : cut;
}

function codePoint(random: () => number): number {
  const point = Math.floor(random() * 0x110000);
  return point >= 0xd800 && point <= 0xdfff ? point - 0x800 : point;
}

/** A string of `length` UTF-16 units mixing several alphabets; one in twenty holds a lone surrogate (no UTF-8 form). */
export function hostileText(random: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += chunk(random, Math.min(length - out.length, 1 + Math.floor(random() * 64)));
  if (length > 0 && random() < 0.05) {
    const at = Math.floor(random() * out.length);
    out = out.slice(0, at) + String.fromCharCode(0xd800 + Math.floor(random() * 0x800)) + out.slice(at + 1);
  }
  return out;
}

/** A value to cache: mostly small, some large, a few at memcached's item limit and beyond (up to 1 MiB + 1 KiB). */
export function hostileValue(random: () => number): string {
  const draw = random();
  if (draw < 0.02) return '';
  if (draw < 0.6) return hostileText(random, Math.floor(random() * 200));
  if (draw < 0.88) return hostileText(random, 200 + Math.floor(random() * 10_000));
  if (draw < 0.985) return hostileText(random, 10_000 + Math.floor(random() * 40_000));
  // At the limit: a filler of one-byte characters to land within ±2 KiB of it, or past 1 MiB.
  const target =
    draw < 0.995
      ? DEFAULT_MAX_VALUE_BYTES - 2048 + Math.floor(random() * 4096)
      : 1024 * 1024 + Math.floor(random() * 1025);
  const head = hostileText(random, 64);
  const fill = Math.max(0, target - Buffer.byteLength(head));
  return head + 'v'.repeat(fill);
}

/** A key part: hostile strings of every length (some far beyond a key's 250 bytes), and every KeyPart type. */
export function hostileKeyPart(random: () => number): KeyPart {
  const draw = random();
  if (draw < 0.55) return hostileText(random, Math.floor(random() * 24));
  if (draw < 0.62) return hostileText(random, 200 + Math.floor(random() * 100));
  if (draw < 0.66) return hostileText(random, 1_000 + Math.floor(random() * 10_000));
  if (draw < 0.76) return Math.floor(random() * 2 ** 53) * (random() < 0.5 ? -1 : 1);
  if (draw < 0.8) return random() * 10 ** Math.floor(random() * 40 - 20);
  if (draw < 0.83) return pickOne(random, [0, -0, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, 1e21, -1e-7]);
  if (draw < 0.86) return BigInt(Math.floor(random() * 2 ** 53)) ** 3n;
  if (draw < 0.89) return pickOne(random, [true, false, null, undefined]);
  if (draw < 0.93) return new Date(Math.floor(random() * 2 ** 42));
  if (draw < 0.95) return pickOne(random, ['1', '01', '-0', '1n', '=1', '!t', '!n', '@1', '%41', '~0041', 'A', '']);
  return pickOne(random, [Number.NaN, Number.POSITIVE_INFINITY, new Date(Number.NaN), {} as never, [] as never]);
}

/** One element of `items`. */
export function pickOne<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** A raw key for the backend itself: valid ones of 1–250 bytes, and every way to be invalid. */
export function hostileRawKey(random: () => number): string {
  const draw = random();
  const plain = (length: number) =>
    Array.from({ length }, () => String.fromCharCode(0x21 + Math.floor(random() * 0x5e))).join('');
  if (draw < 0.4) return plain(1 + Math.floor(random() * 40));
  if (draw < 0.55) return plain(245 + Math.floor(random() * 16)); // 245–260 bytes around the limit
  if (draw < 0.65) return plain(200) + 'é'.repeat(Math.floor(random() * 40)); // characters ≤ 250, bytes beyond
  if (draw < 0.7) return '';
  return hostileText(random, 1 + Math.floor(random() * 300));
}
