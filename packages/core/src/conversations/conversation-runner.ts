import type { CacheBackend, SyncCacheBackend } from '../backend';
import { CacheSweeperError } from '../errors';
import type { Reporter } from '../reporting/reporter';
import type { SweeperStats } from '../stats';
import type { RoundParent, Telemetry } from '../telemetry/telemetry';
import type { BackendOp, Conversation } from './backend-rounds';
import { type ConversationOutcome, type RoundObserver, runConversation, runConversationSync } from './run-conversation';

/**
 * Runs conversations against the sweeper's backend: each round under the deadline,
 * counted as a round trip in the totals and the sinks given; a failed round is
 * reported (the caller decides what it means for its page).
 */
export class ConversationRunner {
  /** The backend conversations run against. */
  readonly backend: CacheBackend;
  readonly #timeoutMs: number;
  readonly #reporter: Reporter;
  readonly #telemetry: Telemetry;

  /** A runner on `backend`, each round under `timeoutMs`, traced through `telemetry`. */
  constructor(backend: CacheBackend, timeoutMs: number, reporter: Reporter, telemetry: Telemetry) {
    this.backend = backend;
    this.#timeoutMs = timeoutMs;
    this.#reporter = reporter;
    this.#telemetry = telemetry;
  }

  /** The deadline of each round, in ms. */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** The backend's synchronous face, if it has one. */
  get sync(): SyncCacheBackend | undefined {
    return this.backend.sync;
  }

  /**
   * Runs `conversation` against the async backend, each round under `timeoutMs` (default:
   * the runner's); a failure is counted in `errorSinks` (default: `sinks`); each round's
   * span goes under `parent` (see `RoundParent`).
   */
  async run<T>(
    conversation: Conversation<T>,
    sinks: readonly (SweeperStats | undefined)[],
    errorSinks: readonly (SweeperStats | undefined)[] = sinks,
    parent?: RoundParent,
    timeoutMs = this.#timeoutMs,
  ): Promise<ConversationOutcome<T>> {
    const outcome = await runConversation(conversation, this.backend, timeoutMs, this.#observer(sinks, parent));
    if (!outcome.ok) this.#reporter.reportRound(`${this.backend.name} ${outcome.op.what}`, outcome.error, errorSinks);
    return outcome;
  }

  /** Runs `conversation` against the synchronous face; throws when the backend has none. */
  runSync<T>(
    conversation: Conversation<T>,
    sinks: readonly (SweeperStats | undefined)[],
    parent?: RoundParent,
  ): ConversationOutcome<T> {
    const outcome = runConversationSync(conversation, this.requireSync(), this.#observer(sinks, parent));
    if (!outcome.ok) this.#reporter.reportRound(`${this.backend.name} ${outcome.op.what}`, outcome.error, sinks);
    return outcome;
  }

  /** Counts each round (a write of rendered fragments as such too) and starts its span. */
  #observer(sinks: readonly (SweeperStats | undefined)[], parent: RoundParent): RoundObserver {
    return (op: BackendOp) => {
      this.#reporter.count('roundTrips', sinks);
      if (op.kind === 'setMany' || op.kind === 'storeStamped') this.#reporter.count('writeRoundTrips', sinks);
      return this.#telemetry.startRound(op, parent);
    };
  }

  /** The synchronous face, or an error saying which API to use instead. */
  requireSync(): SyncCacheBackend {
    const sync = this.backend.sync;
    if (!sync) {
      throw new CacheSweeperError(
        'sweeper',
        `the ${this.backend.name} backend has no synchronous access; use the async API (fragment, lookup) or the memory backend`,
      );
    }
    return sync;
  }
}
