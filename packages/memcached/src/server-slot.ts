import { CacheSweeperError } from '@cachesweeper/core';
import type { Lease, Timing } from './call-contract';
import { callWithDeadline } from './call-with-deadline';
import { flushCall, versionCall } from './commands';
import type { ClientWatcher, GuardedClient } from './guarded-client';
import type { NamedServer, ServerChange, ServerState, ServerStatus } from './public-types';

/** What a server slot needs from the backend. */
export interface SlotSettings extends Timing {
  /** How often a down server is probed, in ms. */
  readonly retryMs: number;
  /** Makes a fresh client for the server, reporting faults to `watcher`. */
  makeClient(watcher: ClientWatcher): GuardedClient;
  /** Told about every state change. */
  readonly onChange: ((change: ServerChange) => void) | undefined;
}

/**
 * One memcached server: its client, its health, and the calls in flight to it.
 * Every change of client starts a new epoch; answers and faults of an earlier
 * epoch are ignored, so an old connection can never bring a server back.
 *
 * @example
 * const slot = new ServerSlot({ name: 'a', address: '127.0.0.1:11211' }, settings);
 * const lease = slot.lease(false); // undefined while its keys must read as misses
 * slot.close();
 */
export class ServerSlot {
  /** The server's name and address. */
  readonly server: NamedServer;
  /** How messages name the server: its address, and its name when that differs. */
  readonly label: string;
  readonly #settings: SlotSettings;
  #state: ServerState = 'up';
  #epoch = 0;
  #client: GuardedClient | undefined;
  readonly #late = new Set<object>();
  readonly #inFlight = new Set<(error: Error) => void>();
  #probe: NodeJS.Timeout | undefined;
  #failures = 0;
  #rejoins = 0;
  #lastError: string | undefined;
  #closed = false;

  constructor(server: NamedServer, settings: SlotSettings) {
    this.server = server;
    this.label = server.name === server.address ? server.address : `${server.name} (${server.address})`;
    this.#settings = settings;
  }

  /** The server's client for one operation, or `undefined` when it must not be asked (reads: miss; writes: fail). */
  lease(forWrite: boolean): Lease | undefined {
    if (this.#closed || this.#state === 'down') return undefined;
    if (this.#state === 'suspect' && !forWrite) return undefined;
    this.#client ??= this.#connect(this.#epoch);
    return this.#leaseOf(this.#client, this.#epoch);
  }

  /** Why a write cannot go to this server right now. */
  unavailable(operation: string): CacheSweeperError {
    const why = this.#closed ? 'the backend is closed' : `it is down (${this.#lastError ?? 'unknown'})`;
    return new CacheSweeperError('memcached', `${operation}: server ${this.label} is not used: ${why}`);
  }

  /** The server's state and history. */
  status(): ServerStatus {
    return {
      name: this.server.name,
      address: this.server.address,
      state: this.#state,
      failures: this.#failures,
      rejoins: this.#rejoins,
      lastError: this.#lastError,
    };
  }

  /** Ends every call in flight, stops probing and closes the connections. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#probe);
    this.#abortAll('the backend was closed');
    this.#client?.shutdown();
    this.#client = undefined;
  }

  #connect(epoch: number): GuardedClient {
    return this.#settings.makeClient({ fault: (reason) => this.#fail(epoch, reason) });
  }

  #leaseOf(client: GuardedClient, epoch: number): Lease {
    return {
      client,
      server: this.label,
      current: () => epoch === this.#epoch && !this.#closed,
      track: (abort) => {
        this.#inFlight.add(abort);
        return () => this.#inFlight.delete(abort);
      },
      failed: (reason) => this.#fail(epoch, reason),
      missedDeadline: (call) => this.#missed(epoch, call),
      answeredLate: (call, fault) => this.#answeredLate(epoch, call, fault),
    };
  }

  #fail(epoch: number, reason: string): void {
    if (epoch !== this.#epoch || this.#state === 'down' || this.#closed) return;
    this.#state = 'down';
    this.#epoch += 1;
    this.#failures += 1;
    this.#lastError = reason;
    this.#late.clear();
    const client = this.#client;
    this.#client = undefined;
    this.#abortAll(`server ${this.label} went down: ${reason}`);
    // We may be inside the client's own parser: let it unwind before its sockets go.
    queueMicrotask(() => client?.shutdown());
    this.#emit('down', reason);
    this.#scheduleProbe();
  }

  #missed(epoch: number, call: object): void {
    if (epoch !== this.#epoch || this.#state === 'down' || this.#closed) return;
    this.#late.add(call);
    if (this.#state === 'up') {
      this.#state = 'suspect';
      this.#emit('suspect', 'a call missed its deadline');
    }
  }

  #answeredLate(epoch: number, call: object, fault: string | undefined): void {
    if (epoch !== this.#epoch || !this.#late.delete(call)) return;
    if (fault !== undefined) {
      this.#fail(epoch, fault);
    } else if (this.#late.size === 0 && this.#state === 'suspect') {
      this.#state = 'up';
      this.#emit('up', 'every late call was answered');
    }
  }

  #abortAll(reason: string): void {
    const calls = [...this.#inFlight];
    this.#inFlight.clear();
    const error = new CacheSweeperError('memcached', reason);
    for (const abort of calls) abort(error);
  }

  #scheduleProbe(): void {
    if (this.#closed) return;
    this.#probe = setTimeout(() => void this.#rejoin(), this.#settings.retryMs);
    this.#probe.unref();
  }

  /** Probes a down server on a fresh client; on an answer, flushes it, then routes to it again. */
  async #rejoin(): Promise<void> {
    this.#probe = undefined;
    if (this.#closed || this.#state !== 'down') return;
    this.#epoch += 1;
    const epoch = this.#epoch;
    const client = this.#connect(epoch);
    const lease = this.#leaseOf(client, epoch);
    const timing = { timeoutMs: this.#settings.graceMs, graceMs: this.#settings.graceMs };
    try {
      await callWithDeadline(lease, versionCall(timing));
      await callWithDeadline(lease, flushCall(timing));
    } catch (error) {
      client.shutdown();
      if (epoch === this.#epoch && !this.#closed) {
        this.#lastError = (error as Error).message;
        this.#scheduleProbe();
      }
      return;
    }
    if (epoch !== this.#epoch || this.#closed || this.#state !== 'down') {
      client.shutdown();
      return;
    }
    this.#client = client;
    this.#state = 'up';
    this.#rejoins += 1;
    this.#emit('up', 'answered a probe and was flushed');
  }

  #emit(state: ServerState, reason: string): void {
    try {
      this.#settings.onChange?.({ name: this.server.name, address: this.server.address, state, reason });
    } catch {
      // A throwing listener must not break the health bookkeeping.
    }
  }
}
