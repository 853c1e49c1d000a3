import { CacheSweeperError } from '@cachesweeper/core';
import type { Lease, Replay, Timing } from './call-contract';
import { callWithDeadline } from './call-with-deadline';
import { flushCall } from './commands';
import type { ClientWatcher, GuardedClient } from './guarded-client';
import type { NamedServer, ServerChange, ServerState, ServerStatus } from './public-types';
import { type PacingSettings, RejoinPacing } from './rejoin-pacing';
import { ReplayJournal } from './replay-journal';
import { type RepairDone, repairServer } from './server-repair';

/** What a server slot needs from the backend. */
export interface SlotSettings extends Timing, PacingSettings {
  /** Deadline of counter writes (and of their replays), in ms. */
  readonly writeTimeoutMs: number;
  /** Most counter writes remembered for replay; past that, the server is flushed before it is used again. */
  readonly replayLimit: number;
  /** Makes a fresh client for the server, reporting faults to `watcher`. */
  makeClient(watcher: ClientWatcher): GuardedClient;
  /** Told about every state change. */
  readonly onChange: ((change: ServerChange) => void) | undefined;
}

/**
 * One memcached server: its client, its health, the calls in flight to it, and the
 * counter writes it owes. Every change of client starts a new epoch; answers and
 * faults of an earlier epoch are ignored, so an old connection can never bring a
 * server back.
 *
 * A server goes `down` when a call fails through its fault, or stays unanswered past
 * the grace period. Counter writes still in flight then, or refused while it is down,
 * are remembered (`ReplayJournal`). Probed back to life, it gets them again before
 * any read goes to it; it is flushed only if too many were remembered to keep them
 * all. A server that was dropped only for late or failed reads missed no write, and
 * comes back as it is.
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
  readonly #journal: ReplayJournal;
  readonly #pacing: RejoinPacing;
  #state: ServerState = 'up';
  #epoch = 0;
  #client: GuardedClient | undefined;
  /** Calls that missed their deadline and may still be answered, with the write each would replay. */
  readonly #late = new Map<object, Replay | undefined>();
  /** Calls in flight: how to abort each, and the write it would replay. */
  readonly #inFlight = new Map<(reason: string) => void, Replay | undefined>();
  #probe: NodeJS.Timeout | undefined;
  #failures = 0;
  #rejoins = 0;
  #flushes = 0;
  #lastError: string | undefined;
  #closed = false;

  constructor(server: NamedServer, settings: SlotSettings) {
    this.server = server;
    this.label = server.name === server.address ? server.address : `${server.name} (${server.address})`;
    this.#settings = settings;
    this.#journal = new ReplayJournal(settings.replayLimit);
    this.#pacing = new RejoinPacing(settings);
  }

  /** The server's client for one operation, or `undefined` when it must not be asked (reads: miss; writes: fail). */
  lease(forWrite: boolean): Lease | undefined {
    if (this.#closed || this.#state === 'down') return undefined;
    if (this.#state === 'suspect' && !forWrite) return undefined;
    this.#client ??= this.#connect(this.#epoch);
    return this.#leaseOf(this.#client, this.#epoch);
  }

  /** Whether reads go to the server now: it is neither suspect nor down (its keys read as misses then). */
  readable(): boolean {
    return this.#state === 'up' && !this.#closed;
  }

  /**
   * Whether an `add` must not be sent now: the server is suspect, so its keys read as misses
   * unasked, and an add sent down the late link would only make the page wait a deadline.
   * An add changes nothing a reader relies on, so refusing it loses nothing.
   */
  refusesAdds(): boolean {
    return this.#state === 'suspect' && !this.#closed;
  }

  /**
   * Why a write cannot go to this server right now. A counter write (`replay`) is
   * remembered, to be sent before the server is used again.
   */
  unavailable(operation: string, replay?: Replay): CacheSweeperError {
    let why = this.#closed ? 'the backend is closed' : `it is down (${this.#lastError ?? 'unknown'})`;
    if (!this.#closed && replay !== undefined) {
      this.#journal.remember(replay);
      why += `; ${this.#replayNote()}`;
    }
    return new CacheSweeperError('memcached', `${operation}: server ${this.label} is not used: ${why}`);
  }

  /**
   * The application's `flush_all`, now; a server that is down (or is dropped before it
   * answers) is flushed before it is used again. Not paced by `minFlushIntervalMs`,
   * which bounds repairs. Rejects when the flush failed or is late.
   */
  async flush(): Promise<void> {
    const lease = this.lease(true);
    if (lease === undefined) {
      if (!this.#closed) this.#journal.requestFlush();
      return;
    }
    // If it fails, the server is dropped with it, and the flush is remembered (its `replay`).
    await callWithDeadline(lease, flushCall(this.#settings, true));
    this.#flushes += 1;
  }

  /** The server's state and history. */
  status(): ServerStatus {
    return {
      name: this.server.name,
      address: this.server.address,
      state: this.#state,
      failures: this.#failures,
      rejoins: this.#rejoins,
      flushes: this.#flushes,
      pendingReplays: this.#journal.size,
      needsFlush: this.#journal.needsFlush,
      lastError: this.#lastError,
    };
  }

  /** Ends every call in flight, stops probing and closes the connections. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#probe);
    this.#abortAll('the backend was closed', false);
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
      track: (abort, replay) => {
        this.#inFlight.set(abort, replay);
        return () => this.#inFlight.delete(abort);
      },
      failed: (reason, replay) => this.#fail(epoch, reason, replay),
      unanswered: (reason, replay) => this.#fail(epoch, reason, replay, true),
      missedDeadline: (call, replay) => this.#missed(epoch, call, replay),
      answeredLate: (call, fault) => this.#answeredLate(epoch, call, fault),
    };
  }

  /** `unanswered`: dropped for silence, not for a fault; a stalled link may answer any moment. */
  #fail(epoch: number, reason: string, replay?: Replay, unanswered = false): void {
    if (epoch !== this.#epoch || this.#state === 'down' || this.#closed) return;
    this.#state = 'down';
    this.#epoch += 1;
    this.#failures += 1;
    this.#lastError = reason;
    this.#pacing.wentDown(Date.now());
    // Counter writes whose outcome is now unknown: this one, the late ones, those in flight.
    for (const unknown of [replay, ...this.#late.values(), ...this.#inFlight.values()]) {
      if (unknown !== undefined) this.#journal.remember(unknown);
    }
    this.#late.clear();
    const client = this.#client;
    this.#client = undefined;
    this.#abortAll(`the server went down: ${reason}`, true);
    // We may be inside the client's own parser: let it unwind before its sockets go.
    queueMicrotask(() => client?.shutdown());
    this.#emit('down', reason);
    const probeInMs = this.#pacing.nextProbeInMs();
    // A link that held bytes past the grace period delivers them when it clears: probe at once
    // (the probe has its own grace period), so the server is back as soon as it answers rather
    // than `retryMs` later. If that probe finds no answer, the regular schedule goes on.
    if (unanswered) this.#scheduleProbe(0, Date.now() + probeInMs);
    else this.#scheduleProbe(probeInMs);
  }

  #missed(epoch: number, call: object, replay: Replay | undefined): void {
    if (epoch !== this.#epoch || this.#state === 'down' || this.#closed) return;
    this.#late.set(call, replay);
    if (this.#state === 'up') {
      this.#state = 'suspect';
      this.#emit('suspect', 'a call missed its deadline');
    }
  }

  #answeredLate(epoch: number, call: object, fault: string | undefined): void {
    if (epoch !== this.#epoch || !this.#late.has(call)) return;
    if (fault !== undefined) {
      this.#fail(epoch, fault); // a bad answer: its write is unknown, and remembered with the other late ones
      return;
    }
    this.#late.delete(call);
    if (this.#late.size === 0 && this.#state === 'suspect') {
      this.#state = 'up';
      this.#emit('up', 'every late call was answered');
    }
  }

  /** Ends every call in flight; `remembered` when their counter writes were remembered for replay. */
  #abortAll(reason: string, remembered: boolean): void {
    const calls = [...this.#inFlight];
    this.#inFlight.clear();
    for (const [abort, replay] of calls) {
      abort(replay !== undefined && remembered ? `${reason}; ${this.#replayNote()}` : reason);
    }
  }

  #replayNote(): string {
    return this.#journal.needsFlush
      ? 'too many writes to remember: the server is flushed before it is used again'
      : 'the write is remembered and sent again before the server is used again';
  }

  /** `regularAt`: the probe is an early one; if it fails, the next one comes then, as if it had not been sent. */
  #scheduleProbe(delayMs: number, regularAt?: number): void {
    if (this.#closed) return;
    this.#probe = setTimeout(() => void this.#rejoin(regularAt), delayMs);
    this.#probe.unref();
  }

  /** Probes a down server on a fresh client and repairs it; routes to it again once repaired. */
  async #rejoin(regularAt?: number): Promise<void> {
    this.#probe = undefined;
    if (this.#closed || this.#state !== 'down') return;
    this.#epoch += 1;
    const epoch = this.#epoch;
    const client = this.#connect(epoch);
    const lease = this.#leaseOf(client, epoch);
    const { graceMs, writeTimeoutMs } = this.#settings;
    const settings = {
      probe: { timeoutMs: graceMs, graceMs },
      replay: { timeoutMs: writeTimeoutMs, graceMs },
      journal: this.#journal,
      pacing: this.#pacing,
    };
    const live = () => epoch === this.#epoch && !this.#closed && this.#state === 'down';
    try {
      const outcome = await repairServer(lease, settings, (done) => {
        if (live()) this.#cameBack(client, done);
      });
      if (this.#client === client) return;
      client.shutdown();
      if (!live() || !('flushAllowedInMs' in outcome)) return;
      this.#lastError = `it needs a flush_all, and this process flushed it less than ${this.#settings.minFlushIntervalMs} ms ago`;
      this.#scheduleProbe(Math.max(outcome.flushAllowedInMs, this.#pacing.nextProbeInMs()));
    } catch (error) {
      if (this.#client !== client) client.shutdown();
      if (!live()) return;
      this.#lastError = (error as Error).message;
      if (regularAt !== undefined) return this.#scheduleProbe(Math.max(0, regularAt - Date.now()));
      this.#pacing.probeFailed();
      this.#scheduleProbe(this.#pacing.nextProbeInMs());
    }
  }

  #cameBack(client: GuardedClient, done: RepairDone): void {
    this.#client = client;
    this.#state = 'up';
    this.#rejoins += 1;
    if (done.flushed) this.#flushes += 1;
    this.#pacing.cameBack(Date.now());
    const how = done.flushed
      ? 'was flushed (more writes missed than remembered, or a flush() it missed)'
      : `${done.replayed} counter write(s) sent again`;
    this.#emit('up', `answered a probe; ${how}`);
  }

  #emit(state: ServerState, reason: string): void {
    try {
      this.#settings.onChange?.({ name: this.server.name, address: this.server.address, state, reason });
    } catch {
      // A throwing listener must not break the health bookkeeping.
    }
  }
}
