import { asSweeperError, type CacheSweeperError } from '../errors';
import { countInto, createStats, type SweeperStats } from '../stats';
import type { Telemetry } from '../telemetry/telemetry';

/**
 * The sweeper's figures and error reports: every count goes to the sweeper's totals,
 * to the per-page sinks given and to the OpenTelemetry counter of the same name;
 * every problem is counted as an error and told to `onError`, whose own exceptions
 * are swallowed (a cache problem never breaks a page).
 */
export class Reporter {
  readonly #totals = createStats();
  readonly #onError: ((error: CacheSweeperError) => void) | undefined;
  readonly #telemetry: Telemetry | undefined;

  /** A reporter that tells `onError` about every problem, and `telemetry` about every count. */
  constructor(onError: ((error: CacheSweeperError) => void) | undefined, telemetry?: Telemetry) {
    this.#onError = onError;
    this.#telemetry = telemetry;
  }

  /** Adds `amount` to counter `name` of the totals and of each sink. */
  count(name: keyof SweeperStats, sinks: readonly (SweeperStats | undefined)[] = [], amount = 1): void {
    countInto(sinks, name, amount);
    this.#totals[name] += amount;
    this.#telemetry?.count(name, amount);
  }

  /** Counts an error (in the totals and the sinks) and tells `onError`. */
  report(error: CacheSweeperError, sinks: readonly (SweeperStats | undefined)[] = []): void {
    this.count('errors', sinks);
    if (!this.#onError) return;
    try {
      this.#onError(error);
    } catch {
      // A throwing onError must not turn a cache problem into a broken page.
    }
  }

  /** Reports a failed backend round: `what` names it, `cause` is what the backend said. */
  reportRound(what: string, cause: unknown, sinks: readonly (SweeperStats | undefined)[] = []): void {
    this.report(asSweeperError('sweeper', `${what} failed`, cause), sinks);
  }

  /** A copy of the totals. */
  totals(): SweeperStats {
    return { ...this.#totals };
  }
}
