import type { CacheBackend, CacheEntry } from './backend';
import { asSweeperError, CacheSweeperError, describeValue } from './errors';
import {
  bumpCounters,
  type FlowContext,
  type FragmentLookup,
  lookupFragments,
  type PlannedFragment,
  readCounters,
  setMany,
} from './flows';
import { FragmentDecoder } from './fragment-decoder';
import { FragmentFlights, type RenderedFragment } from './fragment-flights';
import { encodeFragment, type NestedToken, nestedTokensHold } from './fragment-value';
import { FragmentHints } from './hints';
import { generationKey, type KeyPart, quoteFragmentTail, quotePrimaryKey, validateNamespace, versionKey } from './keys';
import { memoryBackend } from './memory-backend';
import { collectNested, type NestedCollector } from './nested-collector';
import { type FlowOutcome, runFlow, runFlowSync } from './rounds';
import { createSession, type SessionOptions, type SweeperSession } from './session';
import { countInto, createStats, type SweeperStats } from './stats';
import { describeTarget, resolveTarget, type Target } from './targets';
import {
  attributeToken,
  DEFAULT_TOKEN_SPEC,
  type ModelKeys,
  type ModelTokens,
  modelKeys,
  planTokenQuoted,
  type TokenSpec,
  toTokenSpec,
} from './tokens';

/** Options of `createSweeper`. */
export interface SweeperOptions {
  /** Where fragments and version counters live. Default: `memoryBackend()`. */
  readonly backend?: CacheBackend;
  /** Prefix of every key, 1-64 characters of `[A-Za-z0-9_.-]`. Default: `cs`. */
  readonly namespace?: string;
  /** Token spec per model name; a model not listed keeps a per-row counter. */
  readonly models?: Readonly<Record<string, ModelTokens>>;
  /** Deadline of each backend round, in ms; a round that misses it is a miss. Default: 200. */
  readonly timeoutMs?: number;
  /** Lifetime of version counters in seconds; 0 = no expiry (evicted only under memory pressure). Default: 0. */
  readonly versionTtlSeconds?: number;
  /**
   * How many fragments this process remembers (the key each last had, the blocks it
   * nested) to read ahead: a warm page then takes one read round, and a page whose
   * outer block missed finds its inner blocks read with it. 0 turns it off. Default: 10,000.
   */
  readonly prefetchHints?: number;
  /** Told about every backend failure and missed deadline (they never reach a page). Default: ignore. */
  readonly onError?: (error: CacheSweeperError) => void;
}

/** One fragment to look up: what `fragment` takes, for renderers that batch. */
export interface FragmentRequest {
  /** The row the fragment shows (see `Target`). */
  readonly target: Target;
  /** Lifetime in whole seconds; 0 = as long as the version keys live. */
  readonly ttlSeconds: number;
  /** Extra key parts, e.g. the template name. */
  readonly parts?: readonly KeyPart[];
  /** A digest of the template source, so an edited template never serves old HTML. */
  readonly digest?: string;
}

/** Options of `fragment`. */
export interface FragmentOptions {
  /** A digest of the template source the fragment renders. */
  readonly digest?: string;
  /** The page's session (token snapshot, per-page stats); default: a fresh one. */
  readonly session?: SweeperSession;
}

/** Options of `invalidate`. */
export interface InvalidateOptions {
  /** Asserts the model's token is this attribute (django-cache-sweeper's `using`); see `ModelTokens`. */
  readonly using?: string;
  /** Extra counters to add figures to. */
  readonly stats?: SweeperStats;
}

const DEFAULT_TIMEOUT_MS = 200;
/** How long a finished rendering is kept for pages whose lookups read the cache just before its write landed. */
const FINISHED_RENDER_GRACE_MS = 2_000;

/** Whether every nested counter of a rendering holds, in `session`, the token it was rendered with. */
function nestedHoldNow(rendered: RenderedFragment, session: SweeperSession): boolean {
  return rendered.nested !== null && nestedTokensHold(rendered.nested, session.tokens);
}

/** Entries whose values are HTML, encoded for the cache as fragments that nest nothing. */
function encodedAsHtml(entries: readonly CacheEntry[]): CacheEntry[] {
  return entries.map((entry) => ({ ...entry, value: encodeFragment(entry.value) }));
}

const DEFAULT_PREFETCH_HINTS = 10_000;

interface QueuedWrite {
  readonly entry: CacheEntry;
  readonly session: SweeperSession;
}

/**
 * Lazy fragment caching keyed by version tokens: `fragment` stores a rendering under
 * a key holding the row's token, `invalidate` changes the token, and old renderings
 * become unreachable. Cache failures are misses, never exceptions; bad arguments
 * throw at once.
 *
 * @example
 * const sweeper = createSweeper();
 * const html = await sweeper.fragment(comment, 600, ['comment.hbs'], () => renderComment(comment));
 * await sweeper.invalidate(comment); // after the comment's transaction committed
 */
export class Sweeper {
  /** The backend in use. */
  readonly backend: CacheBackend;
  /** The key prefix. */
  readonly namespace: string;
  /** Deadline of each backend round, in ms. */
  readonly timeoutMs: number;
  /** Lifetime of version counters (0 = no expiry). */
  readonly versionTtlSeconds: number;

  readonly #models = new Map<string, TokenSpec>();
  readonly #modelKeyCache = new Map<string, ModelKeys>();
  readonly #stats = createStats();
  readonly #flights = new FragmentFlights(FINISHED_RENDER_GRACE_MS);
  readonly #uncachedFlights = new Map<string, { readonly startedAt: number; readonly html: Promise<string> }>();
  readonly #pendingWrites = new Set<Promise<void>>();
  readonly #onError: ((error: CacheSweeperError) => void) | undefined;
  readonly #context: FlowContext;
  readonly #hints: FragmentHints | undefined;
  readonly #decoder = new FragmentDecoder();
  #writeBatch: { queued: QueuedWrite[]; written: Promise<void> } | undefined;
  readonly #openSyncRenders: NestedCollector[] = [];
  #closed = false;

  constructor(options: SweeperOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new CacheSweeperError('sweeper', `options must be an object, got ${describeValue(options)}`);
    }
    this.namespace = validateNamespace(options.namespace ?? 'cs');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (typeof this.timeoutMs !== 'number' || !(this.timeoutMs > 0) || !Number.isFinite(this.timeoutMs)) {
      throw new CacheSweeperError(
        'sweeper',
        `timeoutMs must be a number of ms > 0, got ${describeValue(options.timeoutMs)}`,
      );
    }
    this.versionTtlSeconds = checkTtl(options.versionTtlSeconds ?? 0, 'versionTtlSeconds');
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw new CacheSweeperError('sweeper', `onError must be a function, got ${describeValue(options.onError)}`);
    }
    this.#onError = options.onError;
    const prefetchHints = options.prefetchHints ?? DEFAULT_PREFETCH_HINTS;
    if (!Number.isSafeInteger(prefetchHints) || prefetchHints < 0) {
      throw new CacheSweeperError(
        'sweeper',
        `prefetchHints must be a whole number of fragments >= 0, got ${describeValue(options.prefetchHints)}`,
      );
    }
    this.#hints = prefetchHints === 0 ? undefined : new FragmentHints(prefetchHints);
    this.backend = options.backend ?? memoryBackend();
    checkBackend(this.backend);
    for (const [model, tokens] of Object.entries(options.models ?? {})) this.declareModel(model, tokens);
    this.#context = {
      namespace: this.namespace,
      versionTtlSeconds: this.versionTtlSeconds,
      report: (error) => this.#report(error, undefined),
      decode: (key, value) => this.#decoder.decode(key, value),
    };
  }

  /** Declares how a model's token is kept; declaring it again the same way is a no-op, differently an error. */
  declareModel(model: string, tokens: ModelTokens): void {
    if (typeof model !== 'string' || model.length === 0) {
      throw new CacheSweeperError(
        'sweeper',
        `declareModel: model name must be a non-empty string, got ${describeValue(model)}`,
      );
    }
    const spec = toTokenSpec(model, tokens);
    const existing = this.#models.get(model);
    if (existing && !sameTokenSpec(existing, spec)) {
      throw new CacheSweeperError(
        'sweeper',
        `model ${model} is already declared as ${describeSpec(existing)}; cannot redeclare it as ${describeSpec(spec)}`,
      );
    }
    this.#models.set(model, spec);
    this.#modelKeyCache.delete(model);
  }

  /** The spec a model was declared with, or `undefined` when it was not declared (it then keeps a per-row counter). */
  declaredSpec(model: string): TokenSpec | undefined {
    return this.#models.get(model);
  }

  /** The token spec in force for a model (declared, or the default per-row counter). */
  tokenSpec(model: string): TokenSpec {
    return this.#models.get(model) ?? DEFAULT_TOKEN_SPEC;
  }

  /** A fresh per-page session: one token snapshot, one failure budget, optional per-page stats. */
  session(options: SessionOptions = {}): SweeperSession {
    return createSession(options);
  }

  /**
   * Gets a fragment from the cache or renders it: reads the row's token, then the
   * fragment; on a miss runs `render` (once per process for concurrent misses) and
   * stores the result in the background. Load the data `render` shows inside
   * `render`: data read before the token can be older than the key it is stored under.
   */
  fragment(
    target: Target,
    ttlSeconds: number,
    parts: readonly KeyPart[],
    render: () => string | Promise<string>,
    options: FragmentOptions = {},
  ): Promise<string> {
    const planned = this.plan({
      target,
      ttlSeconds,
      parts,
      ...(options.digest === undefined ? {} : { digest: options.digest }),
    });
    if (typeof render !== 'function') {
      throw new CacheSweeperError(
        'sweeper',
        `fragment(${describeTarget(planned)}): render must be a function, got ${describeValue(render)}`,
      );
    }
    return this.#fragment(planned, render, options.session ?? createSession());
  }

  async #fragment(
    planned: PlannedFragment,
    render: () => string | Promise<string>,
    session: SweeperSession,
  ): Promise<string> {
    const [found] = await this.lookupPlanned([planned], session);
    if (found?.html !== undefined) return found.html;
    if (found?.key === undefined) {
      return this.renderUncached(planned, async () => checkRendered(await render(), planned), session);
    }
    return this.renderMiss(found.key, planned.ttlSeconds, async () => checkRendered(await render(), planned), session);
  }

  /** As `fragment`, synchronously; needs a backend with synchronous access (the memory backend). */
  fragmentSync(
    target: Target,
    ttlSeconds: number,
    parts: readonly KeyPart[],
    render: () => string,
    options: FragmentOptions = {},
  ): string {
    const planned = this.plan({
      target,
      ttlSeconds,
      parts,
      ...(options.digest === undefined ? {} : { digest: options.digest }),
    });
    const session = options.session ?? createSession();
    const [found] = this.lookupPlannedSync([planned], session);
    // Synchronous renders cannot interleave, so the fragments a render nests are those
    // looked up while it runs: a stack of open renders collects their counters.
    const parent = this.#openSyncRenders.at(-1);
    if (found?.html !== undefined) {
      if (parent) collectNested(parent, planned, session, found.nested ?? []);
      return found.html;
    }
    const nested: NestedCollector = { tokens: new Map(), complete: true };
    this.#openSyncRenders.push(nested);
    let rendered: string;
    try {
      rendered = render();
    } finally {
      this.#openSyncRenders.pop();
    }
    const html = checkRendered(rendered, planned);
    if (found?.key !== undefined) {
      this.#count(session, 'renders');
      if (nested.complete) {
        this.#writeSync(
          [{ key: found.key, value: encodeFragment(html, [...nested.tokens]), ttlSeconds: planned.ttlSeconds }],
          session,
        );
      }
    }
    if (parent) {
      if (found?.key === undefined || !nested.complete) parent.complete = false;
      else collectNested(parent, planned, session, [...nested.tokens]);
    }
    return html;
  }

  /** Checks a request and works out its token plan and quoted key; throws a CacheSweeperError on bad input. */
  plan(request: FragmentRequest): PlannedFragment {
    if (request === null || typeof request !== 'object') {
      throw new CacheSweeperError('sweeper', `fragment request must be an object, got ${describeValue(request)}`);
    }
    const target = resolveTarget(request.target);
    const { ttlSeconds, parts = [], digest = '' } = request;
    if (!isTtl(ttlSeconds)) throw ttlError(ttlSeconds, `TTL of ${describeTarget(target)}`);
    if (!Array.isArray(parts)) {
      throw new CacheSweeperError(
        'sweeper',
        `key parts of ${describeTarget(target)} must be an array, got ${describeValue(parts)}`,
      );
    }
    if (typeof digest !== 'string') {
      throw new CacheSweeperError(
        'sweeper',
        `digest of ${describeTarget(target)} must be a string, got ${describeValue(digest)}`,
      );
    }
    const keys = this.#modelKeys(target.model);
    const quotedId = quotePrimaryKey(target.id);
    return {
      model: target.model,
      id: target.id,
      plan: planTokenQuoted(this.namespace, target, keys, quotedId),
      quoted: { head: `${keys.quotedModel}:${quotedId}`, tail: quoteFragmentTail(digest, parts) },
      ttlSeconds: this.#fragmentTtl(ttlSeconds),
    };
  }

  #modelKeys(model: string): ModelKeys {
    let keys = this.#modelKeyCache.get(model);
    if (keys === undefined) {
      // Model names come from code, so this stays small; the bound guards against data posing as names.
      if (this.#modelKeyCache.size >= 1024) this.#modelKeyCache.clear();
      keys = modelKeys(this.namespace, model, this.tokenSpec(model));
      this.#modelKeyCache.set(model, keys);
    }
    return keys;
  }

  /** Looks fragments up in one token round and one fragment round; bad requests throw at once. */
  lookup(requests: readonly FragmentRequest[], session: SweeperSession = createSession()): Promise<FragmentLookup[]> {
    return this.lookupPlanned(
      requests.map((request) => this.plan(request)),
      session,
    );
  }

  /** As `lookup`, for requests already checked with `plan`. Never rejects: a failure makes every lookup uncached. */
  async lookupPlanned(planned: readonly PlannedFragment[], session: SweeperSession): Promise<FragmentLookup[]> {
    if (planned.length === 0) return [];
    if (!session.available || this.#closed) return this.#uncached(planned, session);
    const outcome = await runFlow(
      lookupFragments(planned, session, this.#context, this.#hints),
      this.backend,
      this.timeoutMs,
      this.#observer(session),
    );
    return this.#finishLookup(planned, outcome, session);
  }

  /** As `lookupPlanned`, synchronously; needs a backend with synchronous access. */
  lookupPlannedSync(planned: readonly PlannedFragment[], session: SweeperSession): FragmentLookup[] {
    const sync = this.#syncBackend();
    if (planned.length === 0) return [];
    if (!session.available || this.#closed) return this.#uncached(planned, session);
    const outcome = runFlowSync(
      lookupFragments(planned, session, this.#context, this.#hints),
      sync,
      this.#observer(session),
    );
    return this.#finishLookup(planned, outcome, session);
  }

  /**
   * Tells the sweeper which cached fragments a rendering of `fragment` holds, one
   * level down, so the next lookup of `fragment` reads them ahead (see `prefetchHints`).
   */
  rememberNested(fragment: PlannedFragment, nested: readonly PlannedFragment[]): void {
    this.#hints?.noteNested(fragment, nested);
  }

  #finishLookup(
    planned: readonly PlannedFragment[],
    outcome: FlowOutcome<FragmentLookup[]>,
    session: SweeperSession,
  ): FragmentLookup[] {
    if (!outcome.ok) {
      this.#failRound(outcome, session);
      return this.#uncached(planned, session);
    }
    for (const lookup of outcome.value) {
      this.#count(session, lookup.key === undefined ? 'uncached' : lookup.html === undefined ? 'misses' : 'hits');
    }
    return outcome.value;
  }

  #uncached(planned: readonly PlannedFragment[], session: SweeperSession): FragmentLookup[] {
    this.#count(session, 'uncached', planned.length);
    return planned.map(() => ({ key: undefined, html: undefined }));
  }

  /** Whether the backend offers synchronous access (so `fragmentSync` and `lookupPlannedSync` work). */
  get isSynchronous(): boolean {
    return this.backend.sync !== undefined;
  }

  /**
   * Renders a missed fragment once per process: a concurrent miss of the same key
   * joins the running render. The result is stored in the background (not awaited),
   * and stays shared for 2 s after that write lands with pages that began before it.
   * When this call leads (no render of `key` is running), it calls `render`
   * synchronously, before returning, so a caller can batch work that renders start in
   * one turn. `nestedOf`, asked when the rendering is done, names the counters (and
   * their tokens, as read by this session) of the cached fragments rendered inside it:
   * the stored copy is served only while they hold, so a change to a nested row needs
   * no rule to reach this one; `null` stores nothing. A joiner whose session holds other
   * tokens for those counters is refused the shared rendering: its promise rejects with
   * a CacheSweeperError, and it should render the fragment itself.
   */
  renderMiss(
    key: string,
    ttlSeconds: number,
    render: () => Promise<string>,
    session: SweeperSession = createSession(),
    nestedOf: () => readonly NestedToken[] | null = () => [],
  ): Promise<string> {
    if (!session.store) {
      // A read-only session may see uncommitted data: its renders are neither stored nor shared.
      this.#count(session, 'renders');
      return render();
    }
    const flight = this.#flights.state(key, session.startedAt);
    if (flight?.kind === 'settled' && nestedHoldNow(flight.rendered, session)) {
      return Promise.resolve(flight.rendered.html);
    }
    if (flight?.kind === 'running') {
      // Shared once done, if the fragments it nests are those this page would nest.
      return flight.rendering.then(async (rendered) => {
        if (await this.#nestedHold(rendered, session)) return rendered.html;
        throw new CacheSweeperError(
          'sweeper',
          `a concurrent rendering of "${key}" nests older fragments than this page has read: render it here`,
        );
      });
    }
    this.#count(session, 'renders');
    const work = async (): Promise<RenderedFragment> => {
      const html = await render();
      return { html, nested: nestedOf() };
    };
    const rendering = this.#flights.lead(key, work, (rendered) => {
      // `null`: some fragment nested in it could not be keyed, so nothing could tell when it changes.
      if (rendered.nested === null) return Promise.resolve();
      return this.#queueWrites([{ key, value: encodeFragment(rendered.html, rendered.nested), ttlSeconds }], session);
    });
    return rendering.then((rendered) => rendered.html);
  }

  /** Whether a rendering's nested counters hold the tokens this session reads for them (reading those it lacks). */
  async #nestedHold(rendered: RenderedFragment, session: SweeperSession): Promise<boolean> {
    if (rendered.nested === null) return false;
    if (nestedHoldNow(rendered, session)) return true;
    if (!session.available || this.#closed) return false;
    const outcome = await runFlow(
      readCounters(
        rendered.nested.map(([versionKey]) => versionKey),
        session,
        this.#context,
      ),
      this.backend,
      this.timeoutMs,
      this.#observer(session),
    );
    if (!outcome.ok) {
      this.#failRound(outcome, session);
      return false;
    }
    return nestedHoldNow(rendered, session);
  }

  /**
   * Renders a fragment the cache could not be used for (the backend failed, was late,
   * or held a garbled counter). Concurrent pages share one such render when it started
   * after their own session began, so its data is at least as fresh as theirs: a cache
   * outage under load does not multiply every render and its queries. Leads
   * synchronously, as `renderMiss` does; nothing is stored.
   */
  renderUncached(
    planned: PlannedFragment,
    render: () => Promise<string>,
    session: SweeperSession = createSession(),
  ): Promise<string> {
    const identity = `${planned.quoted.head}:${planned.plan.attributePart ?? ''}:${planned.quoted.tail}`;
    const running = this.#uncachedFlights.get(identity);
    if (running !== undefined && running.startedAt >= session.startedAt && session.store) return running.html;
    const flight = { startedAt: performance.now(), html: render() };
    // A read-only session may see uncommitted data: it neither shares its render nor joins one.
    if (!session.store) return flight.html;
    this.#uncachedFlights.set(identity, flight);
    const release = () => {
      if (this.#uncachedFlights.get(identity) === flight) this.#uncachedFlights.delete(identity);
    };
    flight.html.then(release, release);
    return flight.html;
  }

  /**
   * Queues renderings for the cache; everything queued in the same turn of the event
   * loop (all misses of a page, and of concurrent pages) is written in one round,
   * after the current work, so a write never delays a response. Never rejects
   * (failures are reported); `idle()` waits for it.
   */
  store(entries: readonly CacheEntry[], session: SweeperSession = createSession()): Promise<void> {
    return this.#queueWrites(encodedAsHtml(entries), session);
  }

  /** Queues entries already encoded (see `encodeFragment`) for the next batched write round. */
  #queueWrites(entries: readonly CacheEntry[], session: SweeperSession): Promise<void> {
    if (entries.length === 0 || this.#closed || !session.store) return Promise.resolve();
    let batch = this.#writeBatch;
    if (batch === undefined) {
      const queued: QueuedWrite[] = [];
      const written = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#writeQueued(queued));
      batch = { queued, written };
      this.#writeBatch = batch;
      this.#pendingWrites.add(written);
      written.finally(() => this.#pendingWrites.delete(written));
    }
    for (const entry of entries) batch.queued.push({ entry, session });
    return batch.written;
  }

  async #writeQueued(queued: readonly QueuedWrite[]): Promise<void> {
    this.#writeBatch = undefined;
    if (this.#closed) return;
    const sessions = new Set(queued.map((write) => write.session));
    const sinks = [this.#stats, ...[...sessions].map((session) => session.stats)];
    const observer = { round: () => countInto(sinks, 'roundTrips') };
    const entries = queued.map((write) => write.entry);
    const outcome = await runFlow(setMany('store fragments', entries), this.backend, this.timeoutMs, observer);
    if (!outcome.ok) {
      this.#report(this.#roundError(outcome), undefined);
      return;
    }
    outcome.value.forEach((stored, index) => {
      if (stored) this.#count(queued[index]!.session, 'stores');
    });
  }

  /** As `store`, synchronously. */
  storeSync(entries: readonly CacheEntry[], session: SweeperSession = createSession()): void {
    this.#writeSync(encodedAsHtml(entries), session);
  }

  /** Writes entries already encoded (see `encodeFragment`) now, through the synchronous face. */
  #writeSync(entries: readonly CacheEntry[], session: SweeperSession): void {
    if (entries.length === 0 || this.#closed || !session.store) return;
    this.#finishStore(
      runFlowSync(setMany('store fragments', entries), this.#syncBackend(), this.#observer(session)),
      session,
    );
  }

  #finishStore(outcome: FlowOutcome<boolean[]>, session: SweeperSession): void {
    if (!outcome.ok) {
      this.#failRound(outcome, session);
      return;
    }
    this.#count(session, 'stores', outcome.value.filter(Boolean).length);
  }

  /**
   * Invalidates one row: bumps its counter, so every fragment keyed on the old token
   * becomes unreachable (django-cache-sweeper's `invalidate_cache_for`). Call it after
   * the write committed. Never rejects on a cache failure (it is reported); throws at
   * once on a bad target, or when `using` does not match the model's declared token.
   */
  invalidate(target: Target, options: InvalidateOptions = {}): Promise<void> {
    return this.invalidateMany([target], options);
  }

  /** Invalidates several rows in one round; duplicates are coalesced. */
  invalidateMany(targets: readonly Target[], options: InvalidateOptions = {}): Promise<void> {
    if (!Array.isArray(targets)) {
      throw new CacheSweeperError('sweeper', `invalidateMany takes an array of targets, got ${describeValue(targets)}`);
    }
    const rows = new Set<string>();
    const keys = new Set<string>();
    for (const target of targets) {
      const { row, counterKey } = this.#invalidationOf(target, options.using);
      rows.add(row);
      if (counterKey !== undefined) keys.add(counterKey);
    }
    return this.#bump([...keys], rows.size, options.stats);
  }

  /**
   * Invalidates every row of one or several models at once (one round) by bumping their
   * generations, for bulk writes whose rows nobody can name. Each model must be declared
   * with `generation: true`.
   */
  invalidateModel(model: string | readonly string[], options: Pick<InvalidateOptions, 'stats'> = {}): Promise<void> {
    const models = typeof model === 'string' ? [model] : model;
    if (!Array.isArray(models)) {
      throw new CacheSweeperError(
        'sweeper',
        `invalidateModel takes a model name or an array of them, got ${describeValue(model)}`,
      );
    }
    const keys = new Set<string>();
    for (const name of models) {
      if (!this.tokenSpec(name).generation) {
        throw new CacheSweeperError(
          'sweeper',
          `invalidateModel(${describeValue(name)}): the model is not declared with { generation: true }, so its keys hold no generation to bump`,
        );
      }
      keys.add(generationKey(this.namespace, name));
    }
    return this.#bump([...keys], keys.size, options.stats);
  }

  #invalidationOf(target: Target, using: string | undefined): { row: string; counterKey: string | undefined } {
    const resolved = resolveTarget(target);
    const row = versionKey(this.namespace, resolved.model, resolved.id);
    const spec = this.tokenSpec(resolved.model);
    if (using !== undefined) {
      if (spec.using !== using) {
        throw new CacheSweeperError(
          'sweeper',
          `invalidate(${describeTarget(resolved)}, { using: ${describeValue(using)} }): ${resolved.model} is declared as ${describeSpec(spec)}; declare it with createSweeper({ models: { ${resolved.model}: { using: ${describeValue(using)} } } }) so reads use the same token`,
        );
      }
      attributeToken(resolved, using); // the attribute must be loaded, as in a read
    }
    if (!spec.counter) {
      if (using !== undefined) return { row, counterKey: undefined }; // the save that changed the attribute was the invalidation
      throw new CacheSweeperError(
        'sweeper',
        `invalidate(${describeTarget(resolved)}): ${resolved.model} is keyed by its "${spec.using}" alone, so only a write that changes "${spec.using}" invalidates it; declare { using: "${spec.using}", counter: true } to allow invalidate()`,
      );
    }
    return { row, counterKey: row };
  }

  #bump(keys: readonly string[], invalidations: number, stats: SweeperStats | undefined): Promise<void> {
    const session = createSession(stats === undefined ? {} : { stats });
    this.#count(session, 'invalidations', invalidations);
    if (keys.length === 0) return Promise.resolve();
    if (this.#closed) {
      this.#report(new CacheSweeperError('sweeper', `invalidation of ${keys.length} key(s) after close()`), session);
      return Promise.resolve();
    }
    const sync = this.backend.sync;
    if (sync) {
      // In-process counters: bump them now, without a deadline timer or promise hops.
      const outcome = runFlowSync(bumpCounters(keys), sync, this.#observer(session));
      if (!outcome.ok) this.#failRound(outcome, session);
      return Promise.resolve();
    }
    return runFlow(bumpCounters(keys), this.backend, this.timeoutMs, this.#observer(session)).then((outcome) => {
      if (!outcome.ok) this.#failRound(outcome, session);
    });
  }

  /** The sweeper's counters since it was created (a copy). */
  stats(): SweeperStats {
    return { ...this.#stats };
  }

  /** Resolves when every background write started so far has landed (or failed). */
  async idle(): Promise<void> {
    while (this.#pendingWrites.size > 0) await Promise.all(this.#pendingWrites);
  }

  /** Waits for background writes, then closes the backend. Later lookups render uncached. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.idle();
    this.#closed = true;
    this.#flights.clear();
    await this.backend.close();
  }

  #fragmentTtl(ttlSeconds: number): number {
    // A fragment must not outlive the counter it is keyed on.
    if (this.versionTtlSeconds === 0) return ttlSeconds;
    return ttlSeconds === 0 ? this.versionTtlSeconds : Math.min(ttlSeconds, this.versionTtlSeconds);
  }

  #syncBackend() {
    const sync = this.backend.sync;
    if (!sync) {
      throw new CacheSweeperError(
        'sweeper',
        `the ${this.backend.name} backend has no synchronous access; use the async API (fragment, lookup) or the memory backend`,
      );
    }
    return sync;
  }

  #observer(session: SweeperSession) {
    return { round: () => this.#count(session, 'roundTrips') };
  }

  #failRound(outcome: Extract<FlowOutcome<unknown>, { ok: false }>, session: SweeperSession): void {
    session.available = false;
    this.#report(this.#roundError(outcome), session);
  }

  #roundError(outcome: Extract<FlowOutcome<unknown>, { ok: false }>): CacheSweeperError {
    return asSweeperError('sweeper', `${this.backend.name} ${outcome.op.what} failed`, outcome.error);
  }

  #count(session: SweeperSession, name: keyof SweeperStats, amount = 1): void {
    countInto([this.#stats, session.stats], name, amount);
  }

  #report(error: CacheSweeperError, session: SweeperSession | undefined): void {
    countInto([this.#stats, session?.stats], 'errors');
    if (!this.#onError) return;
    try {
      this.#onError(error);
    } catch {
      // A throwing onError must not turn a cache problem into a broken page.
    }
  }
}

/** Creates a Sweeper; with no backend, on a fresh `memoryBackend()`. */
export function createSweeper(options: SweeperOptions = {}): Sweeper {
  return new Sweeper(options);
}

function isTtl(ttlSeconds: unknown): ttlSeconds is number {
  return typeof ttlSeconds === 'number' && Number.isSafeInteger(ttlSeconds) && ttlSeconds >= 0;
}

function ttlError(ttlSeconds: unknown, what: string): CacheSweeperError {
  return new CacheSweeperError(
    'sweeper',
    `${what} must be a whole number of seconds >= 0, got ${describeValue(ttlSeconds)}`,
  );
}

function checkTtl(ttlSeconds: unknown, what: string): number {
  if (!isTtl(ttlSeconds)) throw ttlError(ttlSeconds, what);
  return ttlSeconds;
}

function checkRendered(html: unknown, target: Pick<PlannedFragment, 'model' | 'id'>): string {
  if (typeof html !== 'string') {
    throw new CacheSweeperError(
      'sweeper',
      `render of ${describeTarget(target)} returned ${describeValue(html)}, not a string`,
    );
  }
  return html;
}

function checkBackend(backend: CacheBackend): void {
  const required = ['get', 'getMany', 'set', 'add', 'incr', 'delete', 'close'] as const;
  const missing = required.filter(
    (name) => typeof (backend as unknown as Record<string, unknown>)?.[name] !== 'function',
  );
  if (backend === null || typeof backend !== 'object' || missing.length > 0) {
    throw new CacheSweeperError(
      'sweeper',
      `backend ${describeValue(backend)} lacks ${missing.join(', ')}; see the CacheBackend contract`,
    );
  }
}

/** True when two token specs keep the same token (so declaring one over the other is a no-op). */
export function sameTokenSpec(a: TokenSpec, b: TokenSpec): boolean {
  return a.using === b.using && a.counter === b.counter && a.generation === b.generation;
}

function describeSpec(spec: TokenSpec): string {
  return JSON.stringify({ using: spec.using, counter: spec.counter, generation: spec.generation });
}
