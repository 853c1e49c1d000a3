/** Number of hash slots of a Redis Cluster. */
export const SLOT_COUNT = 16384;

const TABLE = crcTable();

function crcTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
}

/**
 * The hash slot of `key` as Redis Cluster computes it: CRC16-XMODEM of the key, or of
 * its hash tag (the text between the first `{` and the next `}`, when not empty),
 * modulo 16384. Our keys are ASCII (checked before they get here), so a character
 * is a byte.
 */
export function hashSlot(key: string): number {
  let start = 0;
  let end = key.length;
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let index = start; index < end; index++) {
    crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ key.charCodeAt(index)) & 0xff] as number);
  }
  return crc % SLOT_COUNT;
}
