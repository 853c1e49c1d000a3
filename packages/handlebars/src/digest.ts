import { createHash } from 'node:crypto';

/**
 * A short, key-safe digest of template text: 22 characters of base64url (128 bits
 * of SHA-256). Each text is length-prefixed, so `("ab", "c")` and `("a", "bc")` differ.
 */
export function digestOf(...texts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const text of texts) hash.update(`${text.length}:`).update(text);
  return hash.digest('base64url').slice(0, 22);
}
