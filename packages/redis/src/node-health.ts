import type { RedisBackendEvent } from './status';

/**
 * Which nodes are suspect: a call to them missed its deadline and nothing has been
 * heard from them since. Reads of a suspect node's keys fail at once (the page
 * renders them uncached) instead of each waiting out its deadline; writes still go,
 * so a node that was only slow is trusted again by its next answer. A suspicion
 * lapses after `graceMs`, so one read at a time finds out whether the node is back.
 */
export class NodeHealth {
  readonly #graceMs: number;
  readonly #emit: (event: RedisBackendEvent) => void;
  readonly #suspectUntil = new Map<string, number>();

  constructor(graceMs: number, emit: (event: RedisBackendEvent) => void) {
    this.#graceMs = graceMs;
    this.#emit = emit;
  }

  /** A call to `node` missed its deadline. */
  missed(node: string, what: string): void {
    const fresh = !this.#suspectUntil.has(node);
    this.#suspectUntil.set(node, Date.now() + this.#graceMs);
    if (fresh) this.#emit({ kind: 'suspect', node, reason: `${what} missed its deadline` });
  }

  /** `node` answered something. */
  answered(node: string): void {
    if (this.#suspectUntil.delete(node)) this.#emit({ kind: 'answering', node });
  }

  /** Whether reads of `node` must not wait for it now. */
  isSuspect(node: string): boolean {
    const until = this.#suspectUntil.get(node);
    if (until === undefined) return false;
    if (Date.now() < until) return true;
    // The suspicion lapsed: let this read through; a new miss renews it.
    this.#suspectUntil.set(node, Date.now() + this.#graceMs);
    return false;
  }

  /** The suspect nodes. */
  suspects(): string[] {
    return [...this.#suspectUntil.keys()];
  }
}
