import type { LeaseAnswer } from '@cachesweeper/core';
import type { ReadCommand } from './call-contract';
import { MalformedReply } from './read-reply-parser';
import { decodeValue } from './value-encoding';

/**
 * The commands of our read connections, each reading its own answer. Keys, stamps
 * and TTLs are checked before a command is built (see `keys-and-values.ts`). Every
 * flag of the meta commands was checked against memcached 1.6.18 (`test/meta-commands.test.ts`):
 *
 * - `mg <key> v c f k N<ttl>`: the value (`v`), its CAS (`c`), its item flags (`f`)
 *   and the key (`k`, checked against the one asked); on a miss, `N` creates an empty
 *   placeholder item living `<ttl>` seconds and answers `W` (this client won the
 *   right to fill it); every later `mg` of it answers `Z` (a win was sent already)
 *   until a `set` replaces it, an `md` deletes it, or it expires.
 * - `md <key> C<cas>`: deletes the item only if its CAS is still `<cas>`: `HD`
 *   (deleted), `EX` (it changed), `NF` (it is gone).
 */

/** `get k1 k2 …` or, `withStamps`, `gets …`: the values found under our item flags, and their CAS. */
export class GetCommand implements ReadCommand {
  readonly line: string;
  /** The values found, by key. */
  readonly found = new Map<string, string>();
  /** With stamps: the CAS of each value found, by key. */
  readonly stamps = new Map<string, string>();
  readonly #asked: ReadonlySet<string>;
  readonly #withStamps: boolean;

  /** How many keys it asks for. */
  get size(): number {
    return this.#asked.size;
  }

  /** A `get` of `keys` (checked, distinct); `withStamps`: a `gets`. */
  constructor(keys: readonly string[], withStamps: boolean) {
    this.line = `${withStamps ? 'gets' : 'get'} ${keys.join(' ')}\r\n`;
    this.#asked = new Set(keys);
    this.#withStamps = withStamps;
  }

  value(key: string, flags: number, data: Buffer, cas: string | undefined): void {
    if (!this.#asked.has(key)) throw new MalformedReply(`a value for "${key}", which was not asked`);
    if ((cas === undefined) === this.#withStamps) {
      throw new MalformedReply(
        `a value for "${key}" ${cas === undefined ? 'without' : 'with'} a cas, answering a ${this.line.split(' ')[0]}`,
      );
    }
    const value = decodeValue(flags, data);
    if (value === undefined) return;
    this.found.set(key, value);
    if (cas !== undefined) this.stamps.set(key, cas);
  }

  end(): boolean {
    return true;
  }

  meta(code: string): boolean {
    throw new MalformedReply(`a meta answer (${code}) where a get waits for VALUE or END`);
  }
}

/** A meta command (`mg`, `md`, `ms`) of one key: answered by a meta line, never by `VALUE` or `END`. */
export abstract class MetaCommand implements ReadCommand {
  readonly line: string;
  /** The key it is about (checked), named in what a malformed answer says. */
  protected readonly key: string;
  readonly #name: string;

  /** `name` says what it is in errors ("meta get"). */
  constructor(line: string, key: string, name: string) {
    this.line = line;
    this.key = key;
    this.#name = name;
  }

  value(key: string): void {
    throw new MalformedReply(`a VALUE for "${key}" where a ${this.#name} of "${this.key}" waits`);
  }

  end(): boolean {
    throw new MalformedReply(`END where a ${this.#name} of "${this.key}" waits`);
  }

  abstract meta(code: string, flags: readonly string[], data: Buffer | undefined): boolean;
}

/** `mg <key> v c f k N<ttl>`: the value with its stamp, or the lease on the key, won or taken. */
export class LeasingGetCommand extends MetaCommand {
  /** The answer, once read. */
  answer: LeaseAnswer | undefined;

  /** A meta get of `key` that leases it for `ttlSeconds` (≥ 1) when it is missing. */
  constructor(key: string, ttlSeconds: number) {
    super(`mg ${key} v c f k N${ttlSeconds}\r\n`, key, 'meta get');
  }

  meta(code: string, flags: readonly string[], data: Buffer | undefined): boolean {
    const read = readFlags(flags, this.key);
    if (code === 'EN') {
      this.answer = { kind: 'missing' };
      return true;
    }
    if (code !== 'VA' || data === undefined || read.cas === undefined || read.itemFlags === undefined) {
      throw new MalformedReply(`${code} ${flags.join(' ')} answering a meta get of "${this.key}"`);
    }
    if (read.won) {
      this.answer = { kind: 'won', stamp: read.cas };
    } else if (read.taken) {
      this.answer = { kind: 'taken' };
    } else {
      // A stale item (X, marked by another client's `md I`) is not served.
      const value = read.stale ? undefined : decodeValue(read.itemFlags, data);
      this.answer = value === undefined ? { kind: 'missing' } : { kind: 'value', value, stamp: read.cas };
    }
    return true;
  }
}

/** `md <key> C<cas>`: deletes the key only while its CAS is `<cas>`. */
export class CompareDeleteCommand extends MetaCommand {
  /** Whether it deleted the item, once answered. */
  deleted: boolean | undefined;

  /** A delete of `key` (checked) if its CAS is still `stamp` (decimal digits). */
  constructor(key: string, stamp: string) {
    super(`md ${key} C${stamp}\r\n`, key, 'meta delete');
  }

  meta(code: string, flags: readonly string[]): boolean {
    if ((code !== 'HD' && code !== 'NF' && code !== 'EX') || flags.length > 0) {
      throw new MalformedReply(`${code} ${flags.join(' ')} answering a meta delete of "${this.key}"`);
    }
    this.deleted = code === 'HD';
    return true;
  }
}

interface MetaFlags {
  cas?: string;
  itemFlags?: number;
  won: boolean;
  taken: boolean;
  stale: boolean;
}

const CAS = /^\d{1,20}$/;
const ITEM_FLAGS = /^\d{1,10}$/;

/** Reads the flags of an `mg` answer; throws on a flag it did not ask for, a bad value, or another key. */
function readFlags(flags: readonly string[], key: string): MetaFlags {
  const read: MetaFlags = { won: false, taken: false, stale: false };
  for (const flag of flags) {
    const token = flag.slice(1);
    switch (flag[0]) {
      case 'c':
        if (!CAS.test(token)) throw new MalformedReply(`cas ${JSON.stringify(token)} of "${key}"`);
        read.cas = token;
        break;
      case 'f':
        if (!ITEM_FLAGS.test(token)) throw new MalformedReply(`item flags ${JSON.stringify(token)} of "${key}"`);
        read.itemFlags = Number(token);
        break;
      case 'k':
        if (token !== key) throw new MalformedReply(`an answer for "${token}" where a meta get of "${key}" waits`);
        break;
      case 'W':
      case 'Z':
      case 'X':
        if (token !== '') throw new MalformedReply(`flag ${JSON.stringify(flag)} of "${key}"`);
        if (flag === 'W') read.won = true;
        else if (flag === 'Z') read.taken = true;
        else read.stale = true;
        break;
      default:
        throw new MalformedReply(`flag ${JSON.stringify(flag)}, not asked, answering a meta get of "${key}"`);
    }
  }
  return read;
}
