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

/** Keeps a fragment this process rendered as its local copy, with the stamp the backend gave its write, if any. */
export type KeepWrittenCopy = (key: string, fragment: StoredFragment, stamp: string | undefined) => void;

/** What a batcher does with the fragments it writes, when the process keeps local copies. */
export interface WrittenCopies {
  /** Keeps each fragment queued with its entry. */
  readonly keep: KeepWrittenCopy;
  /** Whether rounds go through `leases.store`, which answers the stamp of each copy written. */
  readonly stamped: boolean;
}

/**
 * Writes renderings to the cache. Everything queued in the same turn of the event
 * loop (all misses of a page, and of concurrent pages) goes out in one round, after
 * the current work, so a write never delays a response; a page that must not store
 * (`store: false`) writes nothing. Failures are reported, never thrown.
 *
 * With `copies` (local copies on), every fragment queued with its entry is kept as this
 * process's copy once its round settled, stored or not: it is served only while its
 * nested counters hold its tokens, exactly as a copy read back would be, so a process
 * whose link to a server is bad renders a fragment once, not on every page. With
 * `copies.stamped` (the sweeper takes leases and the backend answers stamped stores)
 * the round asks for the stamp of each copy written and keeps it with the copy: when a
 * counter nested in it moves, this process replaces it by that stamp without reading
 * its bytes back (a copy it only wrote would otherwise be read whole, stale, in the
 * lease round). A copy not known to be the one stored has no stamp, so the lookup reads
 * the backend for it once it is stale (another process may have stored a newer one).
 */
export class WriteBatcher {
  readonly #runner: ConversationRunner;
  readonly #reporter: Reporter;
  readonly #copies: WrittenCopies | undefined;
  readonly #pending = new Set<Promise<void>>();
  #batch: { readonly queued: QueuedWrite[]; readonly written: Promise<void> } | undefined;
  #closed = false;

  /** A batcher writing through `runner`. */
  constructor(runner: ConversationRunner, reporter: Reporter, copies?: WrittenCopies) {
    this.#runner = runner;
    this.#reporter = reporter;
    this.#copies = copies;
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
    const copies = this.#copies;
    const round = copies?.stamped ? storeStamped('store fragments', entries) : setMany('store fragments', entries);
    const outcome = await this.#runner.run<(boolean | string | undefined)[]>(round, pages, [], { links: [...links] });
    queued.forEach((write, index) => {
      const stored = outcome.ok ? outcome.value[index] : undefined;
      if (stored !== false && stored !== undefined) this.#reporter.count('stores', [write.page.stats]);
      if (copies !== undefined && write.fragment !== undefined)
        copies.keep(write.entry.key, write.fragment, typeof stored === 'string' ? stored : undefined);
    });
  }
}
