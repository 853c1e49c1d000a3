/** How one call settled. */
export interface SettledCall {
  readonly operation: string;
  /** Times a settle handler ran (a promise runs one at most once: 0 means it never settled). */
  settlements: number;
  ok: boolean | undefined;
  ms: number;
}

/** Watches calls: how many settled, how, and how fast. */
export class SettleWatch {
  readonly calls: SettledCall[] = [];

  /** Records `promise` as one call of `operation`. */
  watch(operation: string, promise: Promise<unknown>): Promise<void> {
    const call: SettledCall = { operation, settlements: 0, ok: undefined, ms: Number.NaN };
    this.calls.push(call);
    const started = performance.now();
    const settle = (ok: boolean) => {
      call.settlements += 1;
      call.ok = ok;
      call.ms = performance.now() - started;
    };
    return promise.then(
      () => settle(true),
      () => settle(false),
    );
  }

  /** Calls that never settled, or settled more than once. */
  notOnce(): SettledCall[] {
    return this.calls.filter((call) => call.settlements !== 1);
  }

  /** Calls whose name starts with `prefix` that took longer than `limitMs`. */
  slowerThan(prefix: string, limitMs: number): SettledCall[] {
    return this.calls.filter((call) => call.operation.startsWith(prefix) && !(call.ms <= limitMs));
  }

  /** The slowest call whose name starts with `prefix`, in ms. */
  slowest(prefix: string): number {
    // A loop, not Math.max(...calls): a full run records more calls than a call's arguments can hold.
    let slowest = 0;
    for (const call of this.calls) if (call.operation.startsWith(prefix) && call.ms > slowest) slowest = call.ms;
    return slowest;
  }
}
