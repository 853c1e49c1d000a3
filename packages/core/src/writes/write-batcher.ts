import type { CacheEntry } from '../backend';
import { setMany } from '../conversations/backend-rounds';
import type { ConversationRunner } from '../conversations/conversation-runner';
import type { PageState } from '../page/page-state';
import type { Reporter } from '../reporting/reporter';
import type { PageTrace } from '../telemetry/page-trace';

interface QueuedWrite {
  readonly entry: CacheEntry;
  readonly page: PageState;
}

/**
 * Writes renderings to the cache. Everything queued in the same turn of the event
 * loop (all misses of a page, and of concurrent pages) goes out in one round, after
 * the current work, so a write never delays a response; a page that must not store
 * (`store: false`) writes nothing. Failures are reported, never thrown.
 */
export class WriteBatcher {
  readonly #runner: ConversationRunner;
  readonly #reporter: Reporter;
  readonly #pending = new Set<Promise<void>>();
  #batch: { readonly queued: QueuedWrite[]; readonly written: Promise<void> } | undefined;
  #closed = false;

  /** A batcher writing through `runner`. */
  constructor(runner: ConversationRunner, reporter: Reporter) {
    this.#runner = runner;
    this.#reporter = reporter;
  }

  /** Queues encoded entries for the next batched round; resolves when it has landed (or failed). */
  queue(entries: readonly CacheEntry[], page: PageState): Promise<void> {
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
    for (const entry of entries) batch.queued.push({ entry, page });
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
    const outcome = await this.#runner.run(
      setMany(
        'store fragments',
        queued.map((write) => write.entry),
      ),
      pages,
      [],
      { links: [...links] },
    );
    if (!outcome.ok) return;
    outcome.value.forEach((stored, index) => {
      if (stored) this.#reporter.count('stores', [queued[index]?.page.stats]);
    });
  }
}
