/** What a `VALUE <key> <flags> <bytes>[ <cas>]` line announces. */
export interface ValueLine {
  readonly kind: 'value';
  readonly key: string;
  readonly flags: number;
  readonly bytes: number;
  readonly cas?: string;
}

const PREFIX = Buffer.from('VALUE ', 'latin1');
const SPACE = 0x20;
const ZERO = 0x30;
const NINE = 0x39;
const MAX_FLAGS = 0xffffffff;

/**
 * Reads a well-formed `VALUE` line straight from the bytes `line[start, end)` (its
 * `\r\n` excluded), without making a string of the line and splitting it: a full hit
 * reads one such line per key, a hundred and more per page. Accepts a non-empty key,
 * 1-10 digits of flags (≤ 0xffffffff), 1-10 digits of bytes (≤ `largestItem`), and
 * optionally 1-20 of cas; `undefined` for anything else (the parser rejects it).
 */
export function readValueLine(line: Buffer, start: number, end: number, largestItem: number): ValueLine | undefined {
  if (end - start <= PREFIX.length) return undefined;
  for (let index = 0; index < PREFIX.length; index++) if (line[start + index] !== PREFIX[index]) return undefined;
  const keyStart = start + PREFIX.length;
  const keyEnd = line.indexOf(SPACE, keyStart);
  if (keyEnd <= keyStart || keyEnd >= end) return undefined;
  const flagsEnd = digitsEnd(line, keyEnd + 1, end, 10);
  if (flagsEnd === undefined || line[flagsEnd] !== SPACE) return undefined;
  const bytesEnd = digitsEnd(line, flagsEnd + 1, end, 10);
  if (bytesEnd === undefined) return undefined;
  const flags = numberOf(line, keyEnd + 1, flagsEnd);
  const bytes = numberOf(line, flagsEnd + 1, bytesEnd);
  if (flags > MAX_FLAGS || bytes > largestItem) return undefined;
  const key = line.toString('latin1', keyStart, keyEnd);
  if (bytesEnd === end) return { kind: 'value', key, flags, bytes };
  if (line[bytesEnd] !== SPACE) return undefined;
  const casEnd = digitsEnd(line, bytesEnd + 1, end, 20);
  if (casEnd !== end) return undefined;
  return { kind: 'value', key, flags, bytes, cas: line.toString('latin1', bytesEnd + 1, end) };
}

/** Where the run of 1 to `most` decimal digits from `from` ends (before `end`); `undefined` if none or too many. */
function digitsEnd(line: Buffer, from: number, end: number, most: number): number | undefined {
  let at = from;
  while (at < end && (line[at] as number) >= ZERO && (line[at] as number) <= NINE) at++;
  return at === from || at - from > most ? undefined : at;
}

/** The value of the decimal digits `line[from, to)` (at most 10: exact in a double). */
function numberOf(line: Buffer, from: number, to: number): number {
  let value = 0;
  for (let at = from; at < to; at++) value = value * 10 + ((line[at] as number) - ZERO);
  return value;
}
