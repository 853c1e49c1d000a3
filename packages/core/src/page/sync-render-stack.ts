import type { FragmentSlot } from './fragment-slot';

/**
 * The synchronous renders open right now, innermost last. Synchronous renders cannot
 * interleave, so the fragments a render nests are exactly those looked up while it
 * runs: each open render collects them as its children.
 */
export class SyncRenderStack {
  readonly #open: FragmentSlot[][] = [];

  /** Notes `slot` as a child of the innermost open render, if any. */
  noteChild(slot: FragmentSlot): void {
    this.#open.at(-1)?.push(slot);
  }

  /** Runs `render` as an open render; returns its result and the fragments looked up while it ran. */
  collect<T>(render: () => T): { readonly value: T; readonly children: FragmentSlot[] } {
    const children: FragmentSlot[] = [];
    this.#open.push(children);
    try {
      return { value: render(), children };
    } finally {
      this.#open.pop();
    }
  }
}
