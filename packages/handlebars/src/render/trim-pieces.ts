/**
 * `pieces.join('').trim()`, built as a rope of the pieces without copying them. A page is
 * the view's text around the cached fragments, and `String#trim` on such a concatenation
 * makes V8 flatten it: a copy of the whole page (measured: 1.7 ms for a 550,000-character
 * page of 1,000 comments, where the rest of its full hit took 0.2 ms). Only the pieces at
 * the ends are trimmed, and each of those (a fragment read from the cache is a flat
 * string) is sliced, not copied.
 */
export function joinTrimmed(pieces: readonly string[]): string {
  const ends = trimmedEnds(pieces);
  if (ends === undefined) return '';
  let out = '';
  for (let index = ends.first; index <= ends.last; index++) out += trimmedPiece(pieces, index, ends);
  return out;
}

/** The first and last pieces the trim leaves, and whether it takes anything off them. */
export interface TrimmedEnds {
  readonly first: number;
  readonly last: number;
  readonly trim: boolean;
}

/**
 * Where `pieces.join('').trim()` starts and ends, by piece; `undefined` when no piece has
 * anything but whitespace. With `trim` false, every piece, whole.
 */
export function trimmedEnds(pieces: readonly string[], trim = true): TrimmedEnds | undefined {
  if (!trim) return { first: 0, last: pieces.length - 1, trim };
  let first = 0;
  while (first < pieces.length && (pieces[first] as string).trimStart() === '') first++;
  if (first === pieces.length) return undefined;
  let last = pieces.length - 1;
  while (last > first && (pieces[last] as string).trimEnd() === '') last--;
  return { first, last, trim };
}

/** How many characters the trim takes off the start and the end of piece `index`. */
export function trimmedOff(pieces: readonly string[], index: number, ends: TrimmedEnds): [number, number] {
  if (!ends.trim) return [0, 0];
  const piece = pieces[index] as string;
  const lead = index === ends.first ? piece.length - piece.trimStart().length : 0;
  const trail = index === ends.last ? piece.length - piece.trimEnd().length : 0;
  return [lead, trail];
}

/** Piece `index` of `pieces` as the trim leaves it (only those from `ends.first` to `ends.last` are left). */
export function trimmedPiece(pieces: readonly string[], index: number, ends: TrimmedEnds): string {
  const piece = pieces[index] as string;
  if (!ends.trim || (index !== ends.first && index !== ends.last)) return piece;
  const [lead, trail] = trimmedOff(pieces, index, ends);
  return piece.slice(lead, piece.length - trail);
}
