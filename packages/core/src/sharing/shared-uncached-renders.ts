import type { PlannedFragment } from '../types';

interface UncachedRender {
  readonly startedAt: number;
  readonly html: Promise<string>;
}

/**
 * Renders of fragments the cache could not be used for (the backend failed, was
 * late, or held a garbled counter), by fragment, while they run. A page may share
 * one only if it started after the page began, so its data is at least as fresh as
 * the page's own: a cache outage under load does not multiply every render and its
 * queries. Nothing here is stored.
 */
export class SharedUncachedRenders {
  readonly #running = new Map<string, UncachedRender>();

  /** The render of `fragment` running here, if one started at or after `pageStartedAt`. */
  joinable(fragment: PlannedFragment, pageStartedAt: number): Promise<string> | undefined {
    const running = this.#running.get(identity(fragment));
    return running !== undefined && running.startedAt >= pageStartedAt ? running.html : undefined;
  }

  /** Offers `html`, a render of `fragment` starting now, to pages that began before now. */
  lead(fragment: PlannedFragment, html: Promise<string>): void {
    const id = identity(fragment);
    const render: UncachedRender = { startedAt: performance.now(), html };
    this.#running.set(id, render);
    const release = () => {
      if (this.#running.get(id) === render) this.#running.delete(id);
    };
    html.then(release, release);
  }

  /** Forgets every render (on close). */
  clear(): void {
    this.#running.clear();
  }
}

/** What identifies a fragment without its counters: its row, attribute token and key parts. */
function identity(fragment: PlannedFragment): string {
  return `${fragment.quoted.head}:${fragment.plan.attributePart ?? ''}:${fragment.quoted.tail}`;
}
