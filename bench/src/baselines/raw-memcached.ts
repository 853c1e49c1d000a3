import { connect, type Socket } from 'node:net';

const END = Buffer.from('END\r\n');

/**
 * The least a client can do: memcached's text protocol on one bare socket, one
 * `get k1 k2 …` per round, values decoded as UTF-8. No deadlines, no pool, no key
 * checks, no failure handling: the floor under any real client.
 */
export class RawMemcached {
  readonly #socket: Socket;
  #chunks: Buffer[] = [];
  #length = 0;
  #waiting: ((reply: Buffer) => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#received(chunk));
  }

  /** Connects to `host:port`. */
  static async connect(address: string): Promise<RawMemcached> {
    const [host, port] = address.split(':') as [string, string];
    const socket = connect({ host, port: Number(port), noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawMemcached(socket);
  }

  /** One round: `get` of every key, answers in the asked order (`undefined` where missing). */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return new Promise((resolve) => {
      this.#waiting = (reply) => resolve(parseValues(reply, keys));
      this.#socket.write(`get ${keys.join(' ')}\r\n`);
    });
  }

  /** Closes the socket. */
  close(): void {
    this.#socket.destroy();
  }

  #received(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    // A reply can only be whole when it ends with END (checked on the tail alone, so a
    // large value arriving in many chunks is copied once).
    const tail = chunk.length >= END.length ? chunk : Buffer.concat(this.#chunks.slice(-END.length));
    if (!tail.subarray(-END.length).equals(END)) return;
    const reply = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks, this.#length);
    this.#chunks = [reply];
    if (!isComplete(reply)) return;
    this.#chunks = [];
    this.#length = 0;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(reply);
  }
}

/** Walks `VALUE <key> <flags> <bytes>\r\n<data>\r\n … END\r\n`; false when data is still to come. */
function isComplete(reply: Buffer): boolean {
  let at = 0;
  for (;;) {
    const eol = reply.indexOf('\r\n', at);
    if (eol < 0) return false;
    if (eol - at === 3 && reply.toString('latin1', at, eol) === 'END') return eol + 2 === reply.length;
    const bytes = Number(reply.toString('latin1', at, eol).split(' ')[3]);
    at = eol + 2 + bytes + 2;
    if (at > reply.length) return false;
  }
}

function parseValues(reply: Buffer, keys: readonly string[]): (string | undefined)[] {
  const found = new Map<string, string>();
  let at = 0;
  for (;;) {
    const eol = reply.indexOf('\r\n', at);
    const header = reply.toString('latin1', at, eol);
    if (header === 'END') break;
    const [, key, , size] = header.split(' ') as [string, string, string, string];
    const start = eol + 2;
    found.set(key, reply.toString('utf8', start, start + Number(size)));
    at = start + Number(size) + 2;
  }
  return keys.map((key) => found.get(key));
}
