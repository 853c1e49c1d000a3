import type { BackendTap } from './backends';

/** A token handed out twice for the same counter. */
export interface RepeatedToken {
  readonly key: string;
  readonly token: number;
  readonly how: 'add' | 'incr';
}

/**
 * Records every version token a backend hands out — the start value of each counter
 * created by `add`, and each value `incr` returns — per counter key, and checks that
 * none repeats, that each is an exact integer below 2^53, and that every counter a
 * read returns is one that was handed out (nothing else may write counters).
 */
export class TokenLedger {
  readonly repeated: RepeatedToken[] = [];
  /** Tokens at or above 2^53, or not whole numbers. */
  readonly outOfRange: { key: string; token: number }[] = [];
  /** Counter values read back that were not (yet) handed out when read; see `unknownReads()`. */
  readonly #unverifiedReads: { key: string; value: string }[] = [];
  issued = 0;
  highest = 0;
  readonly #tokens = new Map<string, Set<number>>();
  /** Per counter: start values of `add`s that failed, and how many `incr`s failed; any of them may have landed. */
  readonly #uncertain = new Map<string, { starts: Set<number>; increments: number }>();
  readonly #isCounterKey: (key: string) => boolean;

  constructor(isCounterKey: (key: string) => boolean) {
    this.#isCounterKey = isCounterKey;
  }

  /** The tap to put on the backend under test. */
  tap(): BackendTap {
    return {
      onAdd: (key, value, added) => {
        if (added) this.#issue(key, Number(value), 'add');
      },
      onIncr: (key, value) => {
        if (value !== undefined) this.#issue(key, value, 'incr');
      },
      onCounterWriteFailed: (operation, key, value) => {
        let uncertain = this.#uncertain.get(key);
        if (uncertain === undefined) {
          uncertain = { starts: new Set(), increments: 0 };
          this.#uncertain.set(key, uncertain);
        }
        if (operation === 'add') uncertain.starts.add(Number(value));
        else uncertain.increments += 1;
      },
      onGetMany: (keys, values) => {
        keys.forEach((key, index) => {
          const value = values[index];
          if (value === undefined || !this.#isCounterKey(key)) return;
          if (!this.#tokens.get(key)?.has(Number(value))) this.#unverifiedReads.push({ key, value });
        });
      },
    };
  }

  /**
   * Counter values read back that were never handed out. Checked at the end: a read
   * can overtake the tap's record of the `add` or `incr` that produced its value.
   */
  unknownReads(): { key: string; value: string }[] {
    return this.#unverifiedReads.filter(
      ({ key, value }) => !this.#tokens.get(key)?.has(Number(value)) && !this.#explainedByFailure(key, Number(value)),
    );
  }

  /**
   * Counter values read back that no successful call handed out, but that a failed
   * one explains: an `add` or `incr` that missed its deadline and landed anyway.
   */
  landedLate(): number {
    return this.#unverifiedReads.filter(
      ({ key, value }) => !this.#tokens.get(key)?.has(Number(value)) && this.#explainedByFailure(key, Number(value)),
    ).length;
  }

  #explainedByFailure(key: string, value: number): boolean {
    const uncertain = this.#uncertain.get(key);
    if (uncertain === undefined) return false;
    for (let back = 0; back <= uncertain.increments; back++) {
      const start = value - back;
      if (uncertain.starts.has(start) || (back > 0 && this.#tokens.get(key)?.has(start))) return true;
    }
    return false;
  }

  /** Counter keys that have held a value. */
  get counters(): number {
    return this.#tokens.size;
  }

  #issue(key: string, token: number, how: 'add' | 'incr'): void {
    this.issued += 1;
    if (!Number.isSafeInteger(token) || token >= 2 ** 53 || token <= 0) this.outOfRange.push({ key, token });
    this.highest = Math.max(this.highest, token);
    let tokens = this.#tokens.get(key);
    if (tokens === undefined) {
      tokens = new Set();
      this.#tokens.set(key, tokens);
    }
    if (tokens.has(token)) this.repeated.push({ key, token, how });
    tokens.add(token);
  }
}
