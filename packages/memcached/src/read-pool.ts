import { connect, type Socket } from 'node:net';
import type { ReadCallback } from './call-contract';
import { corkPerTurn } from './cork-per-turn';
import { type GetReplyHandler, GetReplyParser, MalformedReply } from './get-reply-parser';
import { decodeValue } from './value-encoding';

/** Sizes and timeouts of a read pool. */
export interface ReadPoolSettings {
  /** Most connections to the server. */
  readonly size: number;
  /** How long a connection may take to open, in ms. */
  readonly connectTimeoutMs: number;
  /** An idle connection is closed after this many ms without traffic. */
  readonly idleMs: number;
}

interface PendingRead {
  readonly asked: ReadonlySet<string>;
  readonly found: Map<string, string>;
  readonly callback: ReadCallback;
}

/**
 * The connections that carry one server's `get` commands: each command is written
 * by us (`get k1 k2 …\r\n`, keys checked beforehand) and its answer read from
 * Buffers by a `GetReplyParser`, values decoded once each. Commands go to an idle
 * connection, else a new one (up to `size`), else the least busy one, where they
 * are pipelined. A connection that errs, closes with gets unanswered or answers
 * anything malformed is destroyed and reported through `onFault`; its gets are
 * answered with that error.
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
    if (this.#closed) {
      callback(new Error('client closed'), undefined);
      return;
    }
    this.#pick().send(keys, callback);
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

/** One socket and the gets waiting on it, in the order they were sent. */
class ReadConnection implements GetReplyHandler {
  readonly #socket: Socket;
  readonly #queue: PendingRead[] = [];
  readonly #parser = new GetReplyParser(this);
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
        this.destroy(`unparseable answer to a get (${reason})`);
      }
    });
    socket.on('error', (error) => this.destroy(`read connection: ${error.message}`));
    socket.on('close', () => {
      const unanswered = this.#queue.length;
      this.destroy(unanswered > 0 ? `connection closed with ${unanswered} get(s) unanswered` : undefined);
    });
  }

  /** Gets sent and not answered yet. */
  get pending(): number {
    return this.#queue.length;
  }

  send(keys: readonly string[], callback: ReadCallback): void {
    this.#queue.push({ asked: new Set(keys), found: new Map(), callback });
    this.#socket.write(`get ${keys.join(' ')}\r\n`);
  }

  value(key: string, flags: number, data: Buffer): void {
    const read = this.#queue[0];
    if (read === undefined) throw new MalformedReply(`a value for "${key}" while no get was waiting`);
    if (!read.asked.has(key)) throw new MalformedReply(`a value for "${key}", which was not asked`);
    const value = decodeValue(flags, data);
    if (value !== undefined) read.found.set(key, value);
  }

  end(): void {
    const read = this.#queue.shift();
    if (read === undefined) throw new MalformedReply('END while no get was waiting');
    read.callback(undefined, read.found);
  }

  /** Closes the socket once; `reason` (a fault, unless undefined) answers every get still waiting. */
  destroy(reason: string | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#socket.destroy();
    // The gets first, so that the failure is reported as theirs, naming them.
    const error = new Error(reason ?? 'connection closed');
    for (const read of this.#queue.splice(0)) read.callback(error, undefined);
    this.#gone(reason);
  }
}
