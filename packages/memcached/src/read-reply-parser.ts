import { readValueLine, type ValueLine } from './value-line';

/** Receives the parts of the answers of read commands (`get`, `gets`, `mg`, `md`) as they are read, in order. */
export interface ReadReplyHandler {
  /**
   * One `VALUE <key> <flags> <bytes> [<cas>]` item of a `get` (`gets`: with its cas);
   * `data` is exactly its bytes, valid during this call only.
   */
  value(key: string, flags: number, data: Buffer, cas: string | undefined): void;
  /** `END`: the answer to one `get` or `gets` command is complete. */
  end(): void;
  /**
   * The answer of a meta command: its code (`VA`, `HD`, `EN`, `NF`, `EX`, `NS`), its
   * flags as sent (`c12`, `W`, …) and, for `VA`, its data block (valid during this call only).
   */
  meta(code: MetaCode, flags: readonly string[], data: Buffer | undefined): void;
}

/** The codes a meta command answers with. */
export type MetaCode = 'VA' | 'HD' | 'EN' | 'NF' | 'EX' | 'NS';

/** An answer that is not what memcached sends for our reads; the connection it came on is no longer usable. */
export class MalformedReply extends Error {}

const CR = 0x0d;
const LF = 0x0a;
const V = 0x56;
const EMPTY = Buffer.alloc(0);
// `VALUE ` + a 250-byte key + flags and length (10 digits each): far below this.
const LONGEST_LINE = 512;
// memcached cannot be started with items above 1 GiB (`-I`).
const LARGEST_ITEM = 1024 * 1024 * 1024;
const NUMBER = /^\d{1,10}$/;
const STATUS_CODES: ReadonlySet<string> = new Set(['HD', 'EN', 'NF', 'EX', 'NS']);
// A meta flag: one letter, then printable ASCII (a key returned by `k`, a number, nothing).
const META_FLAG = /^[A-Za-z][\x21-\x7e]*$/;

/** An item whose header was read and whose bytes are awaited: a `VALUE` of a get, or the block of a `VA`. */
type PendingItem = ValueLine | { readonly kind: 'meta'; readonly flags: readonly string[]; readonly bytes: number };

/**
 * Reads the answers of pipelined read commands from the chunks a socket hands over:
 * for `get` and `gets`, `VALUE <key> <flags> <bytes>[ <cas>]\r\n`, then exactly
 * `<bytes>` bytes and `\r\n`, until `END\r\n`; for the meta commands `mg` and `md`,
 * one line `<code> <flags>*\r\n`, followed for `VA <bytes> …` by a data block the
 * same way. Values are length-prefixed, so whatever they hold (`\r\n`, `END`, a
 * `VALUE` line, a multibyte character cut between two chunks) is data. Each byte is
 * copied at most once: a value inside one chunk is handed over as a slice of it, a
 * value spread over chunks is joined once all its bytes are there. Anything else
 * (an error line, a bad header, a value not followed by `\r\n`) throws
 * `MalformedReply`, as do the handler's own exceptions.
 *
 * @example
 * const parser = new GetReplyParser({ value: (key, flags, data) => {}, end: () => {} });
 * socket.on('data', (chunk) => parser.feed(chunk));
 */
export class ReadReplyParser {
  readonly #handler: ReadReplyHandler;
  /** The chunk being read, from `#offset`; later chunks wait in `#rest`. */
  #head: Buffer = EMPTY;
  #offset = 0;
  readonly #rest: Buffer[] = [];
  /** Unread bytes in `#head` and `#rest`. */
  #buffered = 0;
  /** The item whose header was read and whose bytes are awaited. */
  #item: PendingItem | undefined;

  constructor(handler: ReadReplyHandler) {
    this.#handler = handler;
  }

  /** Reads `chunk`, calling the handler for every item and `END` it completes. */
  feed(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.#offset === this.#head.length) {
      this.#head = chunk;
      this.#offset = 0;
    } else {
      this.#rest.push(chunk);
    }
    this.#buffered += chunk.length;
    for (;;) {
      if (this.#item === undefined) {
        if (this.#takeValueLine()) continue;
        const line = this.#takeLine();
        if (line === undefined) return;
        this.#readLine(line);
      } else if (!this.#takeItem(this.#item)) {
        return;
      }
    }
  }

  #readLine(line: string): void {
    if (line === 'END') {
      this.#handler.end();
      return;
    }
    if (line === 'ERROR') {
      throw new MalformedReply(
        'ERROR: the server does not know a command we sent (memcached before 1.6 has no meta commands: give the backend leases: false)',
      );
    }
    const fields = line.split(' ');
    const [tag] = fields;
    if (tag === 'VALUE') {
      // A VALUE line cut between chunks (the whole ones were read by #takeValueLine, or are malformed).
      const item = readValueLine(Buffer.from(line, 'latin1'), 0, line.length, LARGEST_ITEM);
      if (item === undefined) throw unexpectedLine(line);
      this.#item = item;
    } else if (tag === 'VA') {
      const [, bytes, ...flags] = fields;
      if (!NUMBER.test(bytes ?? '') || Number(bytes) > LARGEST_ITEM) throw unexpectedLine(line);
      this.#item = { kind: 'meta', flags: metaFlags(flags, line), bytes: Number(bytes) };
    } else if (tag !== undefined && STATUS_CODES.has(tag)) {
      this.#handler.meta(tag as MetaCode, metaFlags(fields.slice(1), line), undefined);
    } else {
      throw unexpectedLine(line);
    }
  }

  /**
   * A well-formed `VALUE` line whole in the head chunk, read from its bytes (see
   * `readValueLine`); false for anything else (another line, a malformed one, a line cut
   * between chunks), which `#takeLine` and `#readLine` then read.
   */
  #takeValueLine(): boolean {
    const head = this.#head;
    const start = this.#offset;
    if (head[start] !== V) return false;
    const lf = head.indexOf(LF, start);
    if (lf < 0 || lf - start > LONGEST_LINE || head[lf - 1] !== CR) return false;
    const item = readValueLine(head, start, lf - 1, LARGEST_ITEM);
    if (item === undefined) return false;
    this.#item = item;
    this.#consume(lf + 1 - start);
    return true;
  }

  /** The next line without its `\r\n`, or `undefined` until it is whole. */
  #takeLine(): string | undefined {
    for (;;) {
      const lf = this.#head.indexOf(LF, this.#offset);
      if (lf >= 0) {
        if (lf === this.#offset || this.#head[lf - 1] !== CR) throw new MalformedReply('a line not ended by CRLF');
        if (lf - this.#offset > LONGEST_LINE) throw new MalformedReply(`a line longer than ${LONGEST_LINE} bytes`);
        const line = this.#head.toString('latin1', this.#offset, lf - 1);
        this.#consume(lf + 1 - this.#offset);
        return line;
      }
      if (this.#head.length - this.#offset > LONGEST_LINE) {
        throw new MalformedReply(`a line longer than ${LONGEST_LINE} bytes`);
      }
      const next = this.#rest.shift();
      if (next === undefined) return undefined;
      // The line is cut between chunks: join its start (short) with the next chunk.
      this.#head = Buffer.concat([this.#head.subarray(this.#offset), next]);
      this.#offset = 0;
    }
  }

  /** Hands the awaited item over once its bytes and their `\r\n` are all there; false until then. */
  #takeItem(item: PendingItem): boolean {
    const size = item.bytes + 2;
    if (this.#buffered < size) return false;
    let block: Buffer;
    if (this.#head.length - this.#offset >= size) {
      block = this.#head.subarray(this.#offset, this.#offset + size);
      this.#consume(size);
    } else {
      const parts: Buffer[] = [];
      let missing = size;
      while (missing > 0) {
        const taken = Math.min(this.#head.length - this.#offset, missing);
        parts.push(this.#head.subarray(this.#offset, this.#offset + taken));
        this.#consume(taken);
        missing -= taken;
      }
      block = Buffer.concat(parts, size);
    }
    if (block[item.bytes] !== CR || block[item.bytes + 1] !== LF) {
      const what = item.kind === 'value' ? `value of "${item.key}"` : 'data block of a VA answer';
      throw new MalformedReply(`the ${item.bytes}-byte ${what} is not followed by CRLF`);
    }
    this.#item = undefined;
    const data = block.subarray(0, item.bytes);
    if (item.kind === 'value') this.#handler.value(item.key, item.flags, data, item.cas);
    else this.#handler.meta('VA', item.flags, data);
    return true;
  }

  /** Marks `count` bytes of the head as read, moving to the next chunk when the head is used up. */
  #consume(count: number): void {
    this.#offset += count;
    this.#buffered -= count;
    if (this.#offset < this.#head.length) return;
    this.#head = this.#rest.shift() ?? EMPTY;
    this.#offset = 0;
  }
}

function unexpectedLine(line: string): MalformedReply {
  return new MalformedReply(`unexpected line ${JSON.stringify(line.slice(0, 80))}`);
}

function metaFlags(flags: readonly string[], line: string): readonly string[] {
  for (const flag of flags) if (!META_FLAG.test(flag)) throw unexpectedLine(line);
  return flags;
}
