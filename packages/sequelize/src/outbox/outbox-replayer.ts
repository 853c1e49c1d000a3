import { randomUUID } from 'node:crypto';
import { asSweeperError, CacheSweeperError, isValidCacheKey, type Sweeper } from '@cachesweeper/core';
import type { LandedMarks } from './landed-marks';
import type { ResolvedOutboxOptions } from './outbox-options';
import type { OutboxStore } from './outbox-store';
import { mergeOwed, type OwedKeys, shrinkOwed } from './owed-keys';

/** What one replay did. */
export interface ReplayOutcome {
  /** Rows claimed and replayed (coalesced into one when more than one). */
  readonly rows: number;
  /** Version keys bumped. */
  readonly keys: number;
  /** Whether the bumps landed (the row was then deleted); `true` when there was nothing to replay. */
  readonly landed: boolean;
  /** Rows claimed whose writer had marked its bumps landed: deleted without a bump. */
  readonly alreadyLanded: number;
}

const NOTHING: ReplayOutcome = { rows: 0, keys: 0, landed: true, alreadyLanded: 0 };

/**
 * Replays the outbox rows nobody acknowledged: every `pollMs` (with ±25% jitter, so
 * processes started together drift apart) it reads whether a row of its namespace is
 * due, and if so claims up to `batchRows` of them for one lease (PostgreSQL skips rows
 * another replayer holds locked; SQLite runs one writer at a time), deletes those whose
 * writer marked its bumps landed (see `LandedMarks`), coalesces the others into
 * one row (past `maxKeys`, row counters give way to their models' generations), bumps
 * their keys, and deletes the row once the bumps landed. A failed replay hands the row
 * back at once and this process claims nothing for a lease, so a process cut off from a
 * server leaves its rows to processes that can reach it. One replay at a time per
 * process; timers are unref'd.
 */
export class OutboxReplayer {
  readonly #store: OutboxStore;
  readonly #sweeper: Sweeper;
  readonly #marks: LandedMarks;
  readonly #options: ResolvedOutboxOptions;
  readonly #report: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<ReplayOutcome> | undefined;
  #stopped = true;
  #backoffUntil = 0;
  #lastFailure: string | undefined;

  constructor(
    store: OutboxStore,
    sweeper: Sweeper,
    marks: LandedMarks,
    options: ResolvedOutboxOptions,
    report: (error: unknown) => void,
  ) {
    this.#store = store;
    this.#sweeper = sweeper;
    this.#marks = marks;
    this.#options = options;
    this.#report = report;
  }

  /** Starts polling (the first poll within one interval). */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule();
  }

  /** Stops polling; a replay under way finishes (`idle()` waits for it). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Whether the poll loop runs. */
  get polling(): boolean {
    return !this.#stopped;
  }

  /** Replays the rows due now (joining a replay under way); rejects when the database fails. */
  replay(): Promise<ReplayOutcome> {
    this.#running ??= this.#replayOnce().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Resolves once no replay is under way. */
  async idle(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }

  #schedule(): void {
    const delay = Math.round(this.#options.pollMs * (0.75 + Math.random() / 2));
    this.#timer = setTimeout(() => void this.#poll(), delay);
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    this.#timer = undefined;
    try {
      if (Date.now() >= this.#backoffUntil) await this.replay();
      this.#lastFailure = undefined;
    } catch (error) {
      // A poll that keeps failing the same way (a missing table, a database down) is reported once.
      const message = error instanceof Error ? error.message : String(error);
      if (message !== this.#lastFailure)
        this.#report(asSweeperError('outbox', `replay from ${this.#store.sql.table}`, error));
      this.#lastFailure = message;
    } finally {
      if (!this.#stopped) this.#schedule();
    }
  }

  async #replayOnce(): Promise<ReplayOutcome> {
    if (!(await this.#store.anyDue())) return NOTHING;
    const claim = randomUUID();
    const claimed = await this.#store.claim(claim, this.#options.batchRows);
    if (claimed.length === 0) return NOTHING;
    const marked = await this.#marks.landed(claimed.map((row) => row.id));
    if (marked.size > 0) await this.#store.delete([...marked]);
    const rows = claimed.filter((row) => !marked.has(row.id));
    if (rows.length === 0) return { rows: 0, keys: 0, landed: true, alreadyLanded: marked.size };
    const merged: OwedKeys = new Map();
    for (const row of rows) mergeOwed(merged, row.owed);
    const shrunk = shrinkOwed(this.#bumpable(merged), this.#options.maxKeys);
    if (shrunk.widened > 0 || shrunk.dropped > 0) this.#reportShrink(merged.size, shrunk.widened, shrunk.dropped);
    const id =
      rows.length === 1 && shrunk.keys === merged
        ? (rows[0]?.id as string)
        : await this.#store.replace(
            rows.map((row) => row.id),
            shrunk.keys,
            claim,
          );
    const { landed } = await this.#sweeper.bumpKeys([...shrunk.keys.keys()]);
    if (landed) {
      await this.#store.delete([id]);
    } else {
      this.#backoffUntil = Date.now() + this.#options.leaseMs;
      await this.#store.release(id, claim);
    }
    return { rows: rows.length, keys: shrunk.keys.size, landed, alreadyLanded: marked.size };
  }

  /** The keys the sweeper can bump; a row holding anything else (edited by hand?) loses it, reported. */
  #bumpable(owed: OwedKeys): OwedKeys {
    const prefix = `${this.#sweeper.namespace}:`;
    const valid = (key: string | undefined) => key !== undefined && isValidCacheKey(key) && key.startsWith(prefix);
    const bad = [...owed.keys()].filter((key) => !valid(key));
    if (bad.length === 0) return owed;
    this.#report(
      new CacheSweeperError(
        'outbox',
        `${this.#store.sql.table} held ${bad.length} value(s) that are not version keys of namespace "${this.#sweeper.namespace}", dropped: ${JSON.stringify(bad.slice(0, 3))}`,
      ),
    );
    const kept: OwedKeys = new Map();
    for (const [key, cover] of owed) if (valid(key)) kept.set(key, valid(cover) ? cover : undefined);
    return kept;
  }

  #reportShrink(size: number, widened: number, dropped: number): void {
    const lost =
      dropped === 0
        ? ''
        : `; ${dropped} counter(s) of models without a generation did not fit and were dropped: those rows may serve old fragments until their TTL or next write`;
    this.#report(
      new CacheSweeperError(
        'outbox',
        `${this.#store.sql.table}: ${size} keys waited past maxKeys (${this.#options.maxKeys}); ${widened} row and model counter(s) were replaced by their models' generations (every fragment of those models re-renders once)${lost}`,
      ),
    );
  }
}
