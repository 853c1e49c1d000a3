import type { CacheEntry } from '../backend';
import { setMany, storeStamped } from '../conversations/backend-rounds';
import type { ConversationRunner } from '../conversations/conversation-runner';
import type { PageState } from '../page/page-state';
import type { Reporter } from '../reporting/reporter';
import type { PageTrace } from '../telemetry/page-trace';
import type { StoredFragment } from '../types';

interface QueuedWrite {
  readonly entry: CacheEntry;
  readonly page: PageState;
  /** The fragment the entry encodes, kept as this process's copy of it once written. */
  readonly fragment?: StoredFragment | undefined;
}

/** Keeps a fragment this process wrote as its local copy, with the stamp the backend gave that write. */
export type KeepWrittenCopy = (key: string, fragment: StoredFragment, stamp: string) => void;

/**
 * Writes renderings to the cache. Everything queued in the same turn of the event
 * loop (all misses of a page, and of concurrent pages) goes out in one round, after
 * the current work, so a write never delays a response; a page that must not store
 * (`store: false`) writes nothing. Failures are reported, never thrown.
 *
 * With `keepCopy` (a backend whose leases answer stamped stores, and local copies on),
 * the round asks for the stamp of each copy written and hands every written fragment
 * to `keepCopy`: when a counter nested in it moves, this process replaces it by that
 * stamp without reading its bytes back (a copy it only wrote would otherwise be read
 * whole, stale, in the lease round).
 */
export class WriteBatcher {
  readonly #runner: ConversationRunner;
  readonly #reporter: Reporter;
  readonly #keepCopy: KeepWrittenCopy | undefined;
  readonly #pending = new Set<Promise<void>>();
  #batch: { readonly queued: QueuedWrite[]; readonly written: Promise<void> } | undefined;
  #closed = false;

  /** A batcher writing through `runner`. */
  constructor(runner: ConversationRunner, reporter: Reporter, keepCopy?: KeepWrittenCopy) {
    this.#runner = runner;
    this.#reporter = reporter;
    this.#keepCopy = keepCopy;
  }

  /**
   * Queues encoded entries for the next batched round; resolves when it has landed (or
   * failed). `fragment`: what a single entry encodes, kept as a local copy once written.
   */
  queue(entries: readonly CacheEntry[], page: PageState, fragment?: StoredFragment): Promise<void> {
    if (entries.length === 0 || this.#closed || !page.store) return Promise.resolve();
    this.#reporter.count('queuedStores', page.sinks, entries.length);
    let batch = this.#batch;
    if (batch === undefined) {
      const queued: QueuedWrite[] = [];
      const written = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#write(queued));
      batch = { queued, written };
      this.#batch = batch;
      this.#pending.add(written);
      written.finally(() => this.#pending.delete(written));
    }
    const kept = entries.length === 1 ? fragment : undefined;
    for (const entry of entries) batch.queued.push({ entry, page, fragment: kept });
    return batch.written;
  }

  /** Writes encoded entries now, through the backend's synchronous face; a failure makes the page skip the cache. */
  writeNow(entries: readonly CacheEntry[], page: PageState): void {
    if (entries.length === 0 || this.#closed || !page.store) return;
    const outcome = this.#runner.runSync(setMany('store fragments', entries), page.sinks, page.trace);
    if (!outcome.ok) {
      page.available = false;
      return;
    }
    this.#reporter.count('stores', page.sinks, outcome.value.filter(Boolean).length);
  }

  /** Resolves when every write queued so far has landed (or failed). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  /** Stops writing; queued writes not yet sent are dropped. */
  close(): void {
    this.#closed = true;
  }

  async #write(queued: readonly QueuedWrite[]): Promise<void> {
    this.#batch = undefined;
    if (this.#closed) return;
    const pages = [...new Set(queued.map((write) => write.page.stats))];
    // The round runs after the pages were served: its span is a trace of its own, linked to theirs.
    const links = new Set<PageTrace>();
    for (const { page } of queued) if (page.trace) links.add(page.trace);
    const entries = queued.map((write) => write.entry);
    const keepCopy = this.#keepCopy;
    const round =
      keepCopy === undefined ? setMany('store fragments', entries) : storeStamped('store fragments', entries);
    const outcome = await this.#runner.run<(boolean | string | undefined)[]>(round, pages, [], { links: [...links] });
    if (!outcome.ok) return;
    outcome.value.forEach((stored, index) => {
      if (stored === false || stored === undefined) return;
      const write = queued[index] as QueuedWrite;
      this.#reporter.count('stores', [write.page.stats]);
      if (typeof stored === 'string' && write.fragment !== undefined)
        keepCopy?.(write.entry.key, write.fragment, stored);
    });
  }
}
