/**
 * The counter bumps this process could not confirm: a bump that failed, or whose
 * answer never came, may not have landed, and the counter it was meant to change
 * would go on giving the token of data that has changed. Each is remembered by key
 * until one sent later lands (a replay, or the next invalidation of that row).
 * Bumping twice is harmless: tokens never repeat, a double bump costs one miss.
 *
 * Calls are numbered in the order they are sent; a bump confirms a failed one only
 * if it was sent no earlier, so that it reached Redis after the write that failed
 * one had committed. Past `maxKeys` keys, a failed bump is remembered by the prefix
 * of its key (its namespace, up to the first `:`), and everything under that prefix
 * is purged instead.
 */
export class BumpJournal {
  readonly #maxKeys: number;
  readonly #keys = new Map<string, number>();
  readonly #prefixes = new Map<string, number>();
  #sent = 0;

  constructor(maxKeys: number) {
    this.#maxKeys = maxKeys;
  }

  /** The number of a call about to be sent. */
  nextCall(): number {
    this.#sent += 1;
    return this.#sent;
  }

  /** The bump of `key` sent as call `call` failed or went unanswered. */
  failed(key: string, call: number): void {
    const known = this.#keys.get(key);
    if (known !== undefined || this.#keys.size < this.#maxKeys) {
      this.#keys.set(key, Math.max(known ?? 0, call));
      return;
    }
    const prefix = prefixOf(key);
    this.#prefixes.set(prefix, Math.max(this.#prefixes.get(prefix) ?? 0, call));
  }

  /** A bump of `key` sent as call `call` landed. */
  landed(key: string, call: number): void {
    const pending = this.#keys.get(key);
    if (pending !== undefined && pending <= call) this.#keys.delete(key);
  }

  /** Everything under `prefix` was deleted by a purge that started as call `call`. */
  purged(prefix: string, call: number): void {
    const pending = this.#prefixes.get(prefix);
    if (pending !== undefined && pending <= call) this.#prefixes.delete(prefix);
    for (const [key, failedAt] of this.#keys) {
      if (key.startsWith(prefix) && failedAt <= call) this.#keys.delete(key);
    }
  }

  /** Whether the counter at `key` may miss a bump: it must not be read from Redis now. */
  holds(key: string): boolean {
    if (this.#keys.has(key)) return true;
    for (const prefix of this.#prefixes.keys()) if (key.startsWith(prefix)) return true;
    return false;
  }

  /** Up to `limit` keys waiting for a replay. */
  pendingKeys(limit: number): string[] {
    const keys: string[] = [];
    for (const key of this.#keys.keys()) {
      if (keys.length >= limit) break;
      keys.push(key);
    }
    return keys;
  }

  /** The prefixes waiting for a purge. */
  pendingPrefixes(): string[] {
    return [...this.#prefixes.keys()];
  }

  /** Keys waiting for a replay. */
  get size(): number {
    return this.#keys.size;
  }

  /** Whether nothing waits. */
  get empty(): boolean {
    return this.#keys.size === 0 && this.#prefixes.size === 0;
  }
}

/** The namespace of a key: up to and including its first `:` (the whole key if it has none). */
export function prefixOf(key: string): string {
  const colon = key.indexOf(':');
  return colon === -1 ? key : key.slice(0, colon + 1);
}
