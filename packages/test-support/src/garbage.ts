/**
 * Answers that break memcached clients: lines a naive parser trips over (a JSON flag
 * with invalid JSON, `ITEM`/`VERSION` without their fields), lines that look like a
 * reply to another command, and raw random bytes.
 */
const HOSTILE_LINES = [
  'VALUE k 2 3\r\n{{{\r\nEND\r\n',
  'ITEM\r\n',
  'VERSION\r\n',
  'VALUE\r\n',
  'VALUE k\r\nEND\r\n',
  'STAT\r\nEND\r\n',
  'SERVER_ERROR out of memory\r\n',
  'CLIENT_ERROR bad data chunk\r\n',
  'ERROR\r\n',
  'NOT_FOUND\r\n',
  '12345\r\n',
  'STORED\r\n',
  'END\r\n',
  '\r\n',
];

/** A small seeded PRNG (mulberry32), so a failing garbage test can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One garbage answer: a hostile line, or 1–64 random bytes (sometimes ending in CRLF). */
export function garbageAnswer(random: () => number): Buffer {
  if (random() < 0.6) {
    return Buffer.from(HOSTILE_LINES[Math.floor(random() * HOSTILE_LINES.length)]!, 'latin1');
  }
  const bytes = Buffer.alloc(1 + Math.floor(random() * 64));
  for (let index = 0; index < bytes.length; index++) bytes[index] = Math.floor(random() * 256);
  return random() < 0.5 ? Buffer.concat([bytes, Buffer.from('\r\n')]) : bytes;
}
