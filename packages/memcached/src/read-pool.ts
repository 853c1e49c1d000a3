import { connect, type Socket } from 'node:net';
import type { BatchCallback, ReadCallback, ReadCommand } from './call-contract';
import { corkPerTurn } from './cork-per-turn';
import { GetCommand } from './read-commands';
import { MalformedReply, type ReadReplyHandler, ReadReplyParser } from './read-reply-parser';

/** Sizes and timeouts of a read pool. */
export interface ReadPoolSettings {
  /** Most connections to the server. */
  readonly size: number;
  /** How long a connection may take to open, in ms. */
  readonly connectTimeoutMs: number;
  /** An idle connection is closed after this many ms without traffic. */
  readonly idleMs: number;
}

/** Commands sent together, answered once all of them are. */
interface Batch {
  remaining: number;
  done: boolean;
  readonly callback: BatchCallback;
}

interface PendingCommand {
  readonly command: ReadCommand;
  readonly batch: Batch;
}

/**
 * The connections that carry one server's reads: each command is written by us
 * (`get k1 k2 …\r\n`, or a batch of `gets`, `mg` and `md` lines; keys checked
 * beforehand) and its answer read from Buffers by a `ReadReplyParser`, values decoded
 * once each. Commands go to an idle connection, else a new one (up to `size`), else
 * the least busy one, where they are pipelined; the commands of a batch go to one
 * connection, in order. A connection that errs, closes with commands unanswered or
 * answers anything malformed is destroyed and reported through `onFault`; its
 * commands are answered with that error.
 *
 * @example
 * const reads = new ReadPool('127.0.0.1:11211', { size: 4, connectTimeoutMs: 1000, idleMs: 5000 }, console.warn);
 * reads.get(['a', 'b'], (error, found) => {});
 * reads.shutdown();
 */
export class ReadPool {
  readonly #host: string;
  readonly #port: number;
  readonly #settings: ReadPoolSettings;
  readonly #onFault: (reason: string) => void;
  readonly #connections = new Set<ReadConnection>();
  #closed = false;

  constructor(address: string, settings: ReadPoolSettings, onFault: (reason: string) => void) {
    const colon = address.lastIndexOf(':');
    this.#host = address.slice(0, colon);
    this.#port = Number(address.slice(colon + 1));
    this.#settings = settings;
    this.#onFault = onFault;
  }

  /** Sends `get` of `keys` (checked, distinct); the callback gets the values found, by key. */
  get(keys: readonly string[], callback: ReadCallback): void {
    const command = new GetCommand(keys, false);
    this.batch([command], (error) => callback(error, error === undefined ? command.found : undefined));
  }

  /** Sends `commands` on one connection, in order; the callback is told once all are answered (or why not). */
  batch(commands: readonly ReadCommand[], callback: BatchCallback): void {
    if (this.#closed) {
      callback(new Error('client closed'));
      return;
    }
    if (commands.length === 0) {
      callback(undefined);
      return;
    }
    this.#pick().send(commands, callback);
  }

  /** Destroys every connection, open or opening; later gets fail at once. Idempotent. */
  shutdown(): void {
    this.#closed = true;
    for (const connection of this.#connections) connection.destroy('client closed');
    this.#connections.clear();
  }

  #pick(): ReadConnection {
    let busiest: ReadConnection | undefined;
    for (const connection of this.#connections) {
      if (connection.pending === 0) return connection;
      if (busiest === undefined || connection.pending < busiest.pending) busiest = connection;
    }
    if (busiest !== undefined && this.#connections.size >= this.#settings.size) return busiest;
    const connection = new ReadConnection(this.#host, this.#port, this.#settings, (reason) => {
      this.#connections.delete(connection);
      if (reason !== undefined && !this.#closed) this.#onFault(reason);
    });
    this.#connections.add(connection);
    return connection;
  }
}

/** One socket and the commands waiting on it, in the order they were sent. */
class ReadConnection implements ReadReplyHandler {
  readonly #socket: Socket;
  readonly #queue: PendingCommand[] = [];
  readonly #parser = new ReadReplyParser(this);
  readonly #gone: (reason: string | undefined) => void;
  #connected = false;
  #ended = false;

  constructor(host: string, port: number, settings: ReadPoolSettings, gone: (reason: string | undefined) => void) {
    this.#gone = gone;
    const socket = connect({ host, port, noDelay: true });
    this.#socket = socket;
    corkPerTurn(socket);
    socket.setTimeout(settings.connectTimeoutMs);
    socket.on('connect', () => {
      this.#connected = true;
      socket.setTimeout(settings.idleMs);
    });
    socket.on('timeout', () => {
      if (!this.#connected) this.destroy(`connect timeout after ${settings.connectTimeoutMs} ms`);
      else if (this.#queue.length === 0) this.destroy(undefined);
      // Gets in flight have deadlines of their own.
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#parser.feed(chunk);
      } catch (error) {
        const reason = error instanceof MalformedReply ? error.message : String(error);
        this.destroy(`unparseable answer to a read (${reason})`);
      }
    });
    socket.on('error', (error) => this.destroy(`read connection: ${error.message}`));
    socket.on('close', () => {
      const unanswered = this.#queue.length;
      this.destroy(unanswered > 0 ? `connection closed with ${unanswered} read(s) unanswered` : undefined);
    });
  }

  /** Commands sent and not answered yet. */
  get pending(): number {
    return this.#queue.length;
  }

  send(commands: readonly ReadCommand[], callback: BatchCallback): void {
    const batch: Batch = { remaining: commands.length, done: false, callback };
    let lines = '';
    for (const command of commands) {
      this.#queue.push({ command, batch });
      lines += command.line;
    }
    this.#socket.write(lines);
  }

  value(key: string, flags: number, data: Buffer, cas: string | undefined): void {
    this.#head(`a value for "${key}"`).command.value(key, flags, data, cas);
  }

  end(): void {
    if (this.#head('END').command.end()) this.#answered();
  }

  meta(code: string, flags: readonly string[], data: Buffer | undefined): void {
    if (this.#head(`${code}`).command.meta(code, flags, data)) this.#answered();
  }

  #head(what: string): PendingCommand {
    const head = this.#queue[0];
    if (head === undefined) throw new MalformedReply(`${what} while no ${what === 'END' ? 'get' : 'read'} was waiting`);
    return head;
  }

  #answered(): void {
    const { batch } = this.#queue.shift() as PendingCommand;
    batch.remaining -= 1;
    if (batch.remaining > 0 || batch.done) return;
    batch.done = true;
    batch.callback(undefined);
  }

  /** Closes the socket once; `reason` (a fault, unless undefined) answers every get still waiting. */
  destroy(reason: string | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#socket.destroy();
    // The commands first, so that the failure is reported as theirs, naming them.
    const error = new Error(reason ?? 'connection closed');
    for (const { batch } of this.#queue.splice(0)) {
      if (batch.done) continue;
      batch.done = true;
      batch.callback(error);
    }
    this.#gone(reason);
  }
}
