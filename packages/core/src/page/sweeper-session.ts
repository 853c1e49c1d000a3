import { lookupFragments } from '../conversations/fragment-lookup';
import type { ConversationOutcome } from '../conversations/run-conversation';
import { readCounters } from '../conversations/token-reads';
import { CacheSweeperError, describeValue } from '../errors';
import { encodeFragment, nestedTokensHold } from '../fragments/stored-fragment';
import type { SweeperStats } from '../stats';
import type { FragmentLookup, PlannedFragment, RenderedFragment } from '../types';
import type { Claim, RenderClaim, WaitClaim } from './claims';
import { FragmentSlot } from './fragment-slot';
import { nestedTokensOf } from './nested-tokens';
import { newPageState, type PageState, type SessionOptions } from './page-state';
import type { SessionServices } from './session-services';

/**
 * One page's conversation with the cache — the protocol renderers follow:
 *
 * 1. `lookup` the page's fragments (batched: one token round and one fragment round
 *    for any number of them); serve each hit's `html`.
 * 2. `claim` each other fragment: `render` it (as the process's leader, or privately)
 *    or `wait` for another page's rendering of it.
 * 3. `complete` each rendering with its HTML and the fragments rendered inside it
 *    (its children), or `fail` it. A stored copy records the counters its children
 *    had, and is served only while they hold.
 *
 * The session holds one token snapshot for the whole page (a row read twice costs one
 * read, and every block sees one version of it) and a failure budget: after one failed
 * or late round the rest of the page renders uncached, never waiting on a bad backend twice.
 *
 * @example
 * const session = sweeper.session();
 * const [slot] = await session.lookup([sweeper.plan({ target: comment, ttlSeconds: 600 })]);
 * if (slot.html === undefined) {
 *   const claim = session.claim(slot);
 *   if (claim.role === 'render') claim.complete(await renderComment(), []);
 * }
 */
export class SweeperSession {
  readonly #services: SessionServices;
  readonly #page: PageState;

  /** A session on the sweeper's `services`; use `sweeper.session()`. */
  constructor(services: SessionServices, options: SessionOptions = {}) {
    this.#services = services;
    const trace = options.trace === undefined ? undefined : startTrace(services, options.trace);
    // Without caching, nothing is read, stored or shared: every fragment renders here.
    this.#page = newPageState(services.caching ? options : { ...options, store: false }, trace);
  }

  /** Ends the page's span (if it has one) with its figures; `error` marks the page failed. Idempotent. */
  end(error?: unknown): void {
    this.#page.trace?.end(error);
  }

  /** This page's counters, if it collects any. */
  get stats(): SweeperStats | undefined {
    return this.#page.stats;
  }

  /** Whether this page's renderings are stored and shared (`store` option). */
  get stores(): boolean {
    return this.#page.store;
  }

  /** Looks fragments up in one token round and one fragment round. Never rejects: a failure makes them uncached. */
  async lookup(planned: readonly PlannedFragment[]): Promise<FragmentSlot[]> {
    if (planned.length === 0) return [];
    if (!this.#usable()) return this.#uncached(planned);
    const { runner, context, hints } = this.#services;
    const { sinks, trace } = this.#page;
    return this.#slots(
      planned,
      await runner.run(lookupFragments(planned, this.#page, context, hints), sinks, sinks, trace),
    );
  }

  /** As `lookup`, synchronously; needs a backend with synchronous access. */
  lookupSync(planned: readonly PlannedFragment[]): FragmentSlot[] {
    const { runner, context, hints } = this.#services;
    if (this.#services.caching) runner.requireSync();
    if (planned.length === 0) return [];
    if (!this.#usable()) return this.#uncached(planned);
    const { sinks, trace } = this.#page;
    return this.#slots(planned, runner.runSync(lookupFragments(planned, this.#page, context, hints), sinks, trace));
  }

  /**
   * Claims a fragment the lookup did not find. `parent` is the fragment this one is
   * rendered inside, if any: from inside a rendering, a page never waits for a running
   * one — its own would complete only after this one (a fragment nested in itself, or
   * repeated deeper down), and two pages nesting the same fragments in opposite orders
   * would wait for each other — so it renders such a fragment privately.
   */
  claim(slot: FragmentSlot, parent?: FragmentSlot): Claim {
    if (slot.status === 'hit') {
      throw new CacheSweeperError(
        'sweeper',
        `claim("${slot.key}"): the fragment was found in the cache; serve its html`,
      );
    }
    if (!this.#page.store) return this.claimPrivately(slot);
    if (slot.key === undefined) return this.#claimUncached(slot, parent);
    return this.#claimMiss(slot, slot.key, parent);
  }

  /** Claims a fragment to render here without sharing or storing it (e.g. after a `wait` came back empty). */
  claimPrivately(slot: FragmentSlot): RenderClaim {
    if (slot.status === 'miss') this.#services.reporter.count('renders', this.#page.sinks);
    return this.#renderClaim(slot, false);
  }

  /**
   * Claims a fragment for a synchronous render: never a wait (nothing can be waited
   * for synchronously); a completed miss is written at once through the backend's
   * synchronous face.
   */
  claimSync(slot: FragmentSlot): RenderClaim {
    const { key } = slot;
    if (key === undefined || !this.#page.store) return this.claimPrivately(slot);
    this.#services.reporter.count('renders', this.#page.sinks);
    return this.#renderClaim(slot, true, (rendered) => {
      if (rendered.nested === null) return;
      const value = encodeFragment(rendered.html, rendered.nested, rendered.renderMicros);
      this.#services.writes.writeNow([{ key, value, ttlSeconds: slot.planned.ttlSeconds }], this.#page);
    });
  }

  #usable(): boolean {
    return this.#page.available && this.#services.caching && !this.#services.closed();
  }

  #slots(planned: readonly PlannedFragment[], outcome: ConversationOutcome<FragmentLookup[]>): FragmentSlot[] {
    if (!outcome.ok) {
      this.#page.available = false;
      return this.#uncached(planned);
    }
    const { reporter, telemetry } = this.#services;
    let savedMicros = 0;
    const slots = outcome.value.map((found, index) => {
      const slot = new FragmentSlot(planned[index] as PlannedFragment, found);
      reporter.count(slot.status === 'hit' ? 'hits' : slot.status === 'miss' ? 'misses' : 'uncached', this.#page.sinks);
      savedMicros += slot.renderMicros ?? 0;
      return slot;
    });
    telemetry.saved(savedMicros, this.#page.trace);
    return slots;
  }

  #uncached(planned: readonly PlannedFragment[]): FragmentSlot[] {
    this.#services.reporter.count('uncached', this.#page.sinks, planned.length);
    return planned.map((fragment) => new FragmentSlot(fragment, { key: undefined, html: undefined }));
  }

  #claimMiss(slot: FragmentSlot, key: string, parent: FragmentSlot | undefined): Claim {
    const flight = this.#services.renderings.state(key, this.#page.startedAt);
    if (flight?.kind === 'settled' && this.#holdsNow(flight.rendered)) {
      return this.#waitFor(slot, Promise.resolve(flight.rendered));
    }
    if (flight?.kind === 'running') {
      if (parent !== undefined) return this.claimPrivately(slot);
      return this.#waitFor(slot, flight.rendering);
    }
    this.#services.reporter.count('renders', this.#page.sinks);
    let settle: { resolve(rendered: RenderedFragment): void; reject(error: unknown): void } | undefined;
    const rendering = new Promise<RenderedFragment>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // Queued when the rendering completes (so `idle()` covers it at once), shared until it landed.
    let written: Promise<void> = Promise.resolve();
    this.#services.renderings.lead(
      key,
      () => rendering,
      () => written,
    );
    return this.#renderClaim(
      slot,
      true,
      (rendered) => {
        // `null`: some fragment nested in it could not be keyed, so nothing could tell when it changes.
        if (rendered.nested !== null) {
          const value = encodeFragment(rendered.html, rendered.nested, rendered.renderMicros);
          written = this.#services.writes.queue([{ key, value, ttlSeconds: slot.planned.ttlSeconds }], this.#page);
        }
        settle?.resolve(rendered);
      },
      (error) => settle?.reject(error),
    );
  }

  #claimUncached(slot: FragmentSlot, parent: FragmentSlot | undefined): Claim {
    const { uncachedRenders } = this.#services;
    const running = uncachedRenders.joinable(slot.planned, this.#page.startedAt);
    if (running !== undefined) {
      if (parent !== undefined) return this.claimPrivately(slot);
      return { role: 'wait', rendering: running.then(undefined, () => undefined) };
    }
    let settle: { resolve(html: string): void; reject(error: unknown): void } | undefined;
    const html = new Promise<string>((resolve, reject) => {
      settle = { resolve, reject };
    });
    uncachedRenders.lead(slot.planned, html);
    return this.#renderClaim(
      slot,
      true,
      (rendered) => settle?.resolve(rendered.html),
      (error) => settle?.reject(error),
    );
  }

  #renderClaim(
    slot: FragmentSlot,
    shared: boolean,
    completed?: (rendered: RenderedFragment) => void,
    failed?: (error: unknown) => void,
  ): RenderClaim {
    let settled = false;
    const { hints, telemetry } = this.#services;
    const timer = telemetry.startRender(this.#page.trace);
    return {
      role: 'render',
      shared,
      complete: (html, children) => {
        if (settled) return;
        settled = true;
        const renderMicros = timer?.();
        // A fragment without a key nests nothing the page could record: it is never stored.
        const nested = slot.key === undefined ? null : nestedTokensOf(children, this.#page.tokens);
        slot.nested = nested;
        if (children !== null) {
          hints?.noteNested(
            slot.planned,
            children.map((child) => child.planned),
          );
        }
        completed?.(renderMicros === undefined ? { html, nested } : { html, nested, renderMicros });
      },
      fail: (error) => {
        if (settled) return;
        settled = true;
        slot.nested = null;
        failed?.(error);
      },
    };
  }

  /** Waits for another rendering; serves it only if what it nests holds the tokens this page reads. */
  #waitFor(slot: FragmentSlot, rendering: Promise<RenderedFragment>): WaitClaim {
    return {
      role: 'wait',
      rendering: rendering.then(
        async (rendered) => {
          if (!(await this.#holds(rendered))) return undefined;
          slot.nested = rendered.nested;
          return rendered.html;
        },
        () => undefined,
      ),
    };
  }

  #holdsNow(rendered: RenderedFragment): boolean {
    return rendered.nested !== null && nestedTokensHold(rendered.nested, this.#page.tokens);
  }

  /** Whether a rendering's nested counters hold the tokens this page reads for them (reading those it lacks). */
  async #holds(rendered: RenderedFragment): Promise<boolean> {
    if (rendered.nested === null) return false;
    if (this.#holdsNow(rendered)) return true;
    if (!this.#usable()) return false;
    const { runner, context } = this.#services;
    const keys = rendered.nested.map(([versionKey]) => versionKey);
    const { sinks, trace } = this.#page;
    const outcome = await runner.run(readCounters(keys, this.#page, context), sinks, sinks, trace);
    if (!outcome.ok) {
      this.#page.available = false;
      return false;
    }
    return this.#holdsNow(rendered);
  }
}

function startTrace(services: SessionServices, trace: NonNullable<SessionOptions['trace']>) {
  if (trace === null || typeof trace !== 'object' || typeof trace.name !== 'string' || trace.name.length === 0) {
    throw new CacheSweeperError('sweeper', `session trace must be { name, attributes? }, got ${describeValue(trace)}`);
  }
  return services.telemetry.startPage(trace.name, trace.attributes);
}
