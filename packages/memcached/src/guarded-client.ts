import type { Socket } from 'node:net';
import Memcached from 'memcached';
import type { BatchCallback, ReadCallback, ReadCommand, ServerClient } from './call-contract';
import { corkPerTurn } from './cork-per-turn';
import type { ClientTuning } from './public-types';
import { ReadPool } from './read-pool';
import { VALUE_FLAGS } from './value-encoding';

/** What a guarded client tells the server slot that owns it. */
export interface ClientWatcher {
  /** The connection or the protocol failed: what this server says can no longer be trusted. */
  fault(reason: string): void;
}

/** The parts of memcached@2.2.2 we replace; they are not in its typings. */
interface ClientInternals {
  connections: Record<string, ConnectionPool>;
  connect(server: string, callback: (error: unknown, socket?: Socket) => void): void;
  rawDataReceived(socket: Socket, ...rest: unknown[]): void;
  command(compile: () => ClientQuery): void;
}

/** A command as the client's `command()` takes it; without `validate`, it is sent as it is. */
interface ClientQuery {
  readonly key: string;
  readonly type: string;
  readonly command: string;
  readonly callback: (error: unknown, value: unknown) => void;
}

/** A jackpot connection pool, as memcached@2.2.2 builds one per server. */
interface ConnectionPool {
  generator: (() => Socket | null) | null;
}

const base = Memcached.prototype as unknown as ClientInternals;

/**
 * The npm `memcached` client for one server, with its failure handling replaced:
 *
 * - `connectionIssue` normally feeds an issue log that marks the server dead for
 *   `retry` ms, keeps un-unref'd timers alive for minutes and, once its failure
 *   count runs out, spawns `ping` (an uncaught `spawn ping ENOENT` where there is no
 *   ping). Here it only tells the watcher; the server slot decides what happens.
 *   A `SERVER_ERROR object too large` is not a failure: nothing was stored, and the
 *   connection is fine (the client would have dropped the server for 30 s).
 * - its parser throws inside the socket's `data` handler on some malformed answers
 *   (a JSON flag with invalid JSON, `ITEM` or `VERSION` without fields), which would
 *   be an uncaught exception: here it is a fault of that server.
 * - a connection that closes with calls unanswered loses their callbacks silently:
 *   here it is a fault of that server.
 * - every socket the pool opens is recorded, so `shutdown()` closes them all, even
 *   those still connecting; the client's own `end()` leaves those open. Its writes
 *   are corked for the rest of the turn (see `corkPerTurn`).
 *
 * Two paths bypass parts of it, for speed (see the README for figures):
 * - `readMany` and `readBatch` do not use the client at all: gets (and the meta
 *   commands of leases) go over a `ReadPool` of our own, whose parser reads values from Buffers by their length. The client's
 *   check of each key runs a `command.replace` over the whole command per key, and
 *   its parser joins, splits and rescans the answer as strings, then unescapes
 *   every value with a regex.
 * - `store` builds `set`/`add` command lines itself (values unescaped, under our
 *   item flags, see `value-encoding.ts`) and hands them to the client's `command()`,
 *   which sends them on its pool and parses the answers.
 *
 * @example
 * const client = new GuardedClient('127.0.0.1:11211', tuning, { fault: (reason) => console.warn(reason) });
 * client.readMany(['a', 'b'], (error, found) => {});
 * client.shutdown();
 */
export class GuardedClient extends Memcached implements ServerClient {
  readonly #watcher: ClientWatcher;
  readonly #sockets = new Set<Socket>();
  readonly #reads: ReadPool;
  #closed = false;

  constructor(address: string, tuning: Required<ClientTuning>, watcher: ClientWatcher) {
    super(address, {
      ...tuning,
      keyCompression: false, // never rename a key behind our back (keys are checked to be <= 250 bytes)
      namespace: '',
    } as Memcached.options);
    this.#watcher = watcher;
    const readSettings = { size: tuning.poolSize, connectTimeoutMs: tuning.timeout, idleMs: tuning.idle };
    this.#reads = new ReadPool(address, readSettings, (reason) => {
      if (!this.#closed) this.#watcher.fault(reason);
    });
    // The client stores a server's pool right before pulling its first socket from it.
    const pools: Record<string, ConnectionPool> = {};
    (this as unknown as ClientInternals).connections = new Proxy(pools, {
      set: (target, server, pool: ConnectionPool) => {
        this.#adopt(pool);
        target[server as string] = pool;
        return true;
      },
    });
  }

  /** `get` of `keys` (checked, distinct) on our own connections; the callback gets the values found, by key. */
  readMany(keys: readonly string[], callback: ReadCallback): void {
    this.#reads.get(keys, callback);
  }

  /** Read commands (`gets`, `mg`, `md`) pipelined on one of our own connections, answered in order. */
  readBatch(commands: readonly ReadCommand[], callback: BatchCallback): void {
    this.#reads.batch(commands, callback);
  }

  /** `set` or `add` of a checked key and value through the client's pool; answers as its `set` does. */
  store(
    type: 'set' | 'add',
    key: string,
    value: string,
    ttlSeconds: number,
    callback: (error: unknown, value: unknown) => void,
  ): void {
    const command = `${type} ${key} ${VALUE_FLAGS} ${ttlSeconds} ${Buffer.byteLength(value)}\r\n${value}`;
    (this as unknown as ClientInternals).command(() => ({ key, type, command, callback }));
  }

  /** Destroys every socket, open or opening; later calls fail at once. Idempotent. */
  shutdown(): void {
    this.#closed = true;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    this.#reads.shutdown();
  }

  /** Replaces the client's issue log (see the class comment). */
  connectionIssue(message: unknown, socket: unknown): void {
    if (this.#closed) return;
    const reason = String(message);
    if (/^object too large/i.test(reason)) return;
    (socket as Partial<Socket> | undefined)?.destroy?.();
    this.#watcher.fault(reason);
  }

  /** The client's parser, made unable to throw into a socket's `data` handler. */
  rawDataReceived(socket: Socket, ...rest: unknown[]): void {
    try {
      base.rawDataReceived.call(this, socket, ...rest);
    } catch (error) {
      socket.destroy();
      if (!this.#closed) this.#watcher.fault(`unparseable answer (${(error as Error).message})`);
    }
  }

  /** The client's connection allocation, refusing after `shutdown()`. */
  connect(server: string, callback: (error: unknown, socket?: Socket) => void): void {
    if (this.#closed) {
      callback(new Error('client closed'));
      return;
    }
    base.connect.call(this, server, (error, socket) => {
      if (this.#closed) {
        socket?.destroy();
        callback(new Error('client closed'));
        return;
      }
      callback(error, socket);
    });
  }

  // A connection that closes with calls unanswered (the server died, a proxy cut it)
  // loses their callbacks for good: the client never reports it. Those calls may
  // have been writes that did or did not land, so it is a fault of the server.
  #closedSocket(socket: Socket): void {
    this.#sockets.delete(socket);
    const unanswered = (socket as Socket & { metaData?: unknown[] }).metaData?.length ?? 0;
    if (!this.#closed && unanswered > 0) this.#watcher.fault(`connection closed with ${unanswered} call(s) unanswered`);
  }

  #adopt(pool: ConnectionPool): void {
    const make = pool.generator;
    if (make === null) return;
    pool.generator = () => {
      if (this.#closed) return null;
      const socket = make.call(pool);
      if (socket) {
        corkPerTurn(socket);
        this.#sockets.add(socket);
        socket.once('close', () => this.#closedSocket(socket));
      }
      return socket;
    };
  }
}
