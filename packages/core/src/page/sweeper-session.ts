import { keyOf } from '../conversations/fragment-keys';
import { lookupFragments } from '../conversations/fragment-lookup';
import type { ConversationOutcome } from '../conversations/run-conversation';
import { CacheSweeperError, describeValue } from '../errors';
import { livesWithin } from '../fragments/lives-within';
import { encodeFragment, expiryOf } from '../fragments/stored-fragment';
import { rowsChangedSince } from '../lookup/rows-changed';
import type { SweeperStats } from '../stats';
import { isCounterValue } from '../tokens/counter-values';
import type { FragmentLookup, PlannedFragment } from '../types';
import type { Claim, RenderClaim } from './claims';
import { FragmentSlot } from './fragment-slot';
import { MissClaims } from './miss-claims';
import { newPageState, type PageState, type SessionOptions } from './page-state';
import { type ClaimContext, privateClaim, renderClaim } from './render-claims';
import type { SessionServices } from './session-services';

/**
 * One page's conversation with the cache — the protocol renderers follow:
 *
 * 1. `lookup` the page's fragments (batched: one token round and one fragment round
 *    for any number of them); serve each hit's `html`.
 * 2. `claim` each other fragment: `render` it (as the process's leader — and, with a
 *    backend that offers leases, the fleet's — or privately) or `wait` for another
 *    page's or another process's rendering of it; a wait that comes back empty is
 *    claimed again with `claimAfterWait`.
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
  readonly #ctx: ClaimContext;
  readonly #misses: MissClaims;
  /** `rowsChangedIn`, worked out once per slot. */
  readonly #changed = new WeakMap<FragmentSlot, ReadonlySet<string> | undefined>();

  /** A session on the sweeper's `services`; use `sweeper.session()`. */
  constructor(services: SessionServices, options: SessionOptions = {}) {
    this.#services = services;
    const trace = options.trace === undefined ? undefined : startTrace(services, options.trace);
    // Without caching, nothing is read, stored or shared: every fragment renders here. With key
    // copies, a counter's copies number their bumps alike only until one misses a bump (its server
    // out of reach), so a value does not name one bump: no records are written, and none is kept.
    const keepsUnchanged = options.keepsUnchanged === true && services.context.placement === undefined;
    const store = services.caching ? options.store : false;
    this.#page = newPageState({ ...options, store, keepsUnchanged }, trace);
    this.#ctx = { services, page: this.#page };
    this.#misses = new MissClaims(this.#ctx);
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
    const lookup = lookupFragments(planned, this.#page, context, hints, this.#misses.leasing());
    const { sinks, trace } = this.#page;
    const outcome = await runner.run(lookup, sinks, sinks, trace);
    const slots = this.#slots(planned, outcome);
    this.#misses.afterLookup(outcome.ok ? slots : undefined);
    return slots;
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
   * would wait for each other — so it renders such a fragment privately. Neither does
   * it wait for another process from inside a rendering.
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
    return this.#misses.claim(slot, slot.key, parent);
  }

  /**
   * The row counters within a missed fragment's row that changed since its outdated copy
   * (`slot.outdated`) was rendered, as the records of its contents counter name them;
   * `undefined` when that is not known (no copy, a record missing, or another counter
   * the copy nests moved). The copy's other rows within it are as it holds them: see `keep`.
   */
  rowsChangedIn(slot: FragmentSlot): ReadonlySet<string> | undefined {
    if (this.#changed.has(slot)) return this.#changed.get(slot);
    const { contentsKey } = slot.planned.plan;
    const changed =
      !this.#page.keeping || slot.outdated === undefined || contentsKey === undefined || slot.status !== 'miss'
        ? undefined
        : rowsChangedSince(slot.outdated.nested, contentsKey, this.#page);
    this.#changed.set(slot, changed);
    return changed;
  }

  /**
   * Hits for fragments nesting none, kept from the outdated copy of the missed fragment
   * `parent` around them: each `html` is its part of that copy, which rendered it with its
   * row counter at `counterToken`. Kept only for a row within `parent`'s row that
   * `rowsChangedIn(parent)` does not name; `undefined` for the others, and for one whose
   * key cannot be built (a generation this page has not read): look those up. A kept
   * fragment is recorded in `parent`'s rendering by the contents counter, as a row within
   * it read after that counter is.
   */
  keep(parent: FragmentSlot, parts: readonly KeptCandidate[]): (FragmentSlot | undefined)[] {
    checkKeepArguments(parent, parts);
    const contentsKey = parent.planned.plan.contentsKey;
    const changed = this.rowsChangedIn(parent);
    if (changed === undefined || contentsKey === undefined) return parts.map(() => undefined);
    const { context, reporter } = this.#services;
    let kept = 0;
    const slots = parts.map(({ planned, counterToken, html }) => {
      const { counterKey } = planned.plan;
      if (counterKey === undefined || changed.has(counterKey) || !livesWithin(planned, contentsKey)) return undefined;
      const key = isCounterValue(counterToken) ? keyOf(planned, this.#page, context, counterToken) : undefined;
      if (key === undefined) return undefined;
      kept++;
      return new FragmentSlot(planned, { key, html, nested: [] }, { within: contentsKey, counterToken });
    });
    reporter.count('hits', this.#page.sinks, kept);
    reporter.count('kept', this.#page.sinks, kept);
    return slots;
  }

  /**
   * The token of the row counter `slot`'s key holds (what `keep` takes back from a copy
   * around it), `undefined` when its key holds none.
   */
  counterTokenOf(slot: FragmentSlot): string | undefined {
    if (slot.kept !== undefined) return slot.kept.counterToken;
    const { counterKey } = slot.planned.plan;
    const token = slot.key === undefined || counterKey === undefined ? undefined : this.#page.tokens.get(counterKey);
    return typeof token === 'string' ? token : undefined;
  }

  /** Claims a fragment to render here without sharing or storing it. */
  claimPrivately(slot: FragmentSlot): RenderClaim {
    return privateClaim(this.#ctx, slot);
  }

  /**
   * Claims a fragment again after its `wait` came back empty; call it in the same turn.
   * When this page waited for another process and the rendering did not arrive (that
   * process is slow, failed or died), it renders the fragment for its process and
   * stores it, so the next request is a hit; otherwise it renders privately.
   */
  claimAfterWait(slot: FragmentSlot): RenderClaim {
    return this.#misses.afterWait(slot);
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
    return renderClaim(this.#ctx, slot, true, {
      completed: (rendered) => {
        if (rendered.nested === null) return;
        const { ttlSeconds } = slot.planned;
        const value = encodeFragment(rendered.html, rendered.nested, rendered.renderMicros, expiryOf(ttlSeconds));
        this.#services.writes.writeNow([{ key, value, ttlSeconds }], this.#page);
      },
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

  #claimUncached(slot: FragmentSlot, parent: FragmentSlot | undefined): Claim {
    const { uncachedRenders } = this.#services;
    const running = uncachedRenders.joinable(slot.planned, this.#page.startedAt);
    if (running !== undefined) {
      if (parent !== undefined) return this.claimPrivately(slot);
      return { role: 'wait', on: 'process', rendering: running.then(undefined, () => undefined) };
    }
    let settle: { resolve(html: string): void; reject(error: unknown): void } | undefined;
    const html = new Promise<string>((resolve, reject) => {
      settle = { resolve, reject };
    });
    uncachedRenders.lead(slot.planned, html);
    return renderClaim(this.#ctx, slot, true, {
      completed: (rendered) => settle?.resolve(rendered.html),
      failed: (error) => settle?.reject(error),
    });
  }
}

/** A fragment that `SweeperSession.keep` may keep from its parent's outdated copy. */
export interface KeptCandidate {
  readonly planned: PlannedFragment;
  /** The token of its row counter the copy rendered it with. */
  readonly counterToken: string;
  /** Its part of the copy. */
  readonly html: string;
}

function checkKeepArguments(parent: unknown, parts: unknown): void {
  if (!(parent instanceof FragmentSlot)) {
    throw new CacheSweeperError(
      'sweeper',
      `keep(parent, parts): parent must be a slot a lookup returned, got ${describeValue(parent)}`,
    );
  }
  const candidate = (part: unknown) =>
    part !== null &&
    typeof part === 'object' &&
    typeof (part as KeptCandidate).planned?.plan === 'object' &&
    typeof (part as KeptCandidate).counterToken === 'string' &&
    typeof (part as KeptCandidate).html === 'string';
  const bad = Array.isArray(parts) ? parts.find((part) => !candidate(part)) : parts;
  if (!Array.isArray(parts) || bad !== undefined) {
    throw new CacheSweeperError(
      'sweeper',
      `keep(parent, parts): parts must be an array of { planned, counterToken, html } (planned by sweeper.plan), got ${describeValue(bad)}`,
    );
  }
}

function startTrace(services: SessionServices, trace: NonNullable<SessionOptions['trace']>) {
  if (trace === null || typeof trace !== 'object' || typeof trace.name !== 'string' || trace.name.length === 0) {
    throw new CacheSweeperError('sweeper', `session trace must be { name, attributes? }, got ${describeValue(trace)}`);
  }
  return services.telemetry.startPage(trace.name, trace.attributes);
}
