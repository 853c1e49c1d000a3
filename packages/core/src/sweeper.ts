import type { CacheBackend } from './backend';
import { ConversationRunner } from './conversations/conversation-runner';
import { CacheSweeperError, describeValue } from './errors';
import { FragmentPlanner, type FragmentRequest } from './fragments/fragment-planner';
import { recordTtlSeconds } from './invalidation/contents-records';
import { type InvalidateOptions, type InvalidationOutcome, Invalidator } from './invalidation/invalidator';
import type { LeaseSettings } from './leases/lease-settings';
import { ModelRegistry } from './models/model-registry';
import { buildServices } from './page/build-services';
import type { FragmentSlot } from './page/fragment-slot';
import type { SessionOptions } from './page/page-state';
import { renderFragment, renderFragmentSync } from './page/render-fragment';
import type { SessionServices } from './page/session-services';
import { SweeperSession } from './page/sweeper-session';
import { SyncRenderStack } from './page/sync-render-stack';
import type { Reporter } from './reporting/reporter';
import type { SweeperStats } from './stats';
import { resolveSweeperOptions, type SweeperOptions } from './sweeper-options';
import { describeTarget, type Target } from './targets';
import type { ModelTokens, TokenSpec } from './tokens/token-spec';
import type { KeyPart, PlannedFragment } from './types';

/** Options of `fragment`. */
export interface FragmentOptions {
  /** A digest of the template source the fragment renders. */
  readonly digest?: string;
  /** The page's session (token snapshot, per-page stats); default: a fresh one. */
  readonly session?: SweeperSession;
}

/** The span of a `fragment` call that has no session of its own. */
const FRAGMENT_TRACE = { name: 'cachesweeper fragment' };

/**
 * Lazy fragment caching keyed by version tokens: `fragment` stores a rendering under
 * a key holding the row's token, `invalidate` changes the token, and old renderings
 * become unreachable. Cache failures are misses, never exceptions; bad arguments
 * throw at once. A facade: each job lives in a module of its own (see the README's
 * "where things live"); renderers that batch talk to a page's `session()`.
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
  /** Deadline of each backend round of a page, in ms. */
  readonly timeoutMs: number;
  /** Deadline of an invalidation's round, in ms. */
  readonly invalidationTimeoutMs: number;
  /** Lifetime of version counters (0 = no expiry). */
  readonly versionTtlSeconds: number;
  /** The fleet-wide leases in force (`undefined`: off, or the backend offers none). */
  readonly leases: LeaseSettings | undefined;
  /** False when every fragment renders in place, without cache reads or writes (`caching: false`). */
  readonly caching: boolean;

  readonly #models: ModelRegistry;
  readonly #planner: FragmentPlanner;
  readonly #reporter: Reporter;
  readonly #services: SessionServices;
  readonly #invalidator: Invalidator;
  readonly #syncRenders = new SyncRenderStack();
  #closed = false;

  constructor(options: SweeperOptions = {}) {
    const resolved = resolveSweeperOptions(options);
    this.backend = resolved.backend;
    this.namespace = resolved.namespace;
    this.timeoutMs = resolved.timeoutMs;
    this.invalidationTimeoutMs = resolved.invalidationTimeoutMs;
    this.versionTtlSeconds = resolved.versionTtlSeconds;
    this.leases = resolved.leases;
    this.caching = resolved.caching;
    this.#models = new ModelRegistry(this.namespace);
    for (const [model, tokens] of Object.entries(resolved.models)) this.#models.declare(model, tokens);
    this.#planner = new FragmentPlanner(this.namespace, this.#models, this.versionTtlSeconds, this.backend.placement);
    this.#services = buildServices(resolved, () => this.#closed);
    this.#reporter = this.#services.reporter;
    this.#invalidator = new Invalidator(
      this.namespace,
      this.#models,
      new ConversationRunner(this.backend, this.invalidationTimeoutMs, this.#reporter, this.#services.telemetry),
      this.#reporter,
      this.backend.placement,
      recordTtlSeconds(this.versionTtlSeconds),
    );
  }

  /** Declares how a model's token is kept; declaring it again the same way is a no-op, differently an error. */
  declareModel(model: string, tokens: ModelTokens): void {
    this.#models.declare(model, tokens);
  }

  /** The spec a model was declared with, or `undefined` when it was not declared (it then keeps a per-row counter). */
  declaredSpec(model: string): TokenSpec | undefined {
    return this.#models.declaredSpec(model);
  }

  /** The token spec in force for a model (declared, or the default per-row counter). */
  tokenSpec(model: string): TokenSpec {
    return this.#models.specOf(model);
  }

  /** A fresh per-page session: one token snapshot, one failure budget, optional per-page stats (see `SweeperSession`). */
  session(options: SessionOptions = {}): SweeperSession {
    return new SweeperSession(this.#services, options);
  }

  /** Checks a request and works out its token plan and quoted key; throws a CacheSweeperError on bad input. */
  plan(request: FragmentRequest): PlannedFragment {
    return this.#planner.plan(request);
  }

  /** Looks fragments up in one token round and one fragment round; bad requests throw at once. */
  lookup(requests: readonly FragmentRequest[], session: SweeperSession = this.session()): Promise<FragmentSlot[]> {
    return session.lookup(requests.map((request) => this.plan(request)));
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
    const planned = this.#planRender(target, ttlSeconds, parts, render, options);
    if (options.session !== undefined) return renderFragment(options.session, planned, render);
    const session = this.session({ trace: FRAGMENT_TRACE });
    return renderFragment(session, planned, render).then(
      (html) => {
        session.end();
        return html;
      },
      (error: unknown) => {
        session.end(error);
        throw error;
      },
    );
  }

  /**
   * As `fragment`, synchronously; needs a backend with synchronous access (the memory
   * backend). Fragments rendered inside `render` with `fragmentSync` are recorded as
   * nested in this one: its stored copy is served only while their counters hold.
   */
  fragmentSync(
    target: Target,
    ttlSeconds: number,
    parts: readonly KeyPart[],
    render: () => string,
    options: FragmentOptions = {},
  ): string {
    const planned = this.#planRender(target, ttlSeconds, parts, render, options);
    return renderFragmentSync(options.session ?? this.session(), this.#syncRenders, planned, render);
  }

  /**
   * Whether `fragmentSync` and `session().lookupSync` work: the backend offers
   * synchronous access, or caching is off (nothing is read).
   */
  get isSynchronous(): boolean {
    return this.backend.sync !== undefined || !this.caching;
  }

  /**
   * Invalidates one row: bumps its counter, so every fragment keyed on the old token
   * becomes unreachable (django-cache-sweeper's `invalidate_cache_for`). Call it after
   * the write committed. Never rejects on a cache failure (it is reported, and the
   * outcome says it did not land); throws at once on a bad target, or when `using`
   * does not match the model's declared token.
   */
  invalidate(target: Target, options: InvalidateOptions = {}): Promise<InvalidationOutcome> {
    return this.#invalidator.rows([target], options);
  }

  /** Invalidates several rows in one round; duplicates are coalesced. */
  invalidateMany(targets: readonly Target[], options: InvalidateOptions = {}): Promise<InvalidationOutcome> {
    return this.#invalidator.rows(targets, options);
  }

  /**
   * Invalidates every row of one or several models at once (one round) by bumping their
   * generations, for bulk writes whose rows nobody can name. Each model must be declared
   * with `generation: true`.
   */
  invalidateModel(
    model: string | readonly string[],
    options: Pick<InvalidateOptions, 'stats'> = {},
  ): Promise<InvalidationOutcome> {
    return this.#invalidator.models(model, options);
  }

  /**
   * The version keys an invalidation of `targets` (rows) and of `models` (generations)
   * bumps, checked as `invalidateMany`/`invalidateModel` check them, without bumping:
   * for a durable log of invalidations (an outbox) to record, and replay with `bumpKeys`.
   */
  invalidationKeys(
    targets: readonly Target[],
    options: Pick<InvalidateOptions, 'using'> & { readonly models?: readonly string[] } = {},
  ): string[] {
    const keys = this.#invalidator.rowKeys(targets, options);
    if (options.models !== undefined) keys.push(...this.#invalidator.modelKeys(options.models));
    return [...new Set(keys)];
  }

  /** Bumps version keys as `invalidationKeys` gave them, in one round (e.g. replayed from an outbox). */
  bumpKeys(keys: readonly string[], options: Pick<InvalidateOptions, 'stats'> = {}): Promise<InvalidationOutcome> {
    return this.#invalidator.keys(keys, options);
  }

  /** The sweeper's counters since it was created (a copy). */
  stats(): SweeperStats {
    return this.#reporter.totals();
  }

  /** Resolves when every background write started so far has landed (or failed). */
  idle(): Promise<void> {
    return this.#services.writes.idle();
  }

  /** Waits for background writes, then closes the backend. Later lookups render uncached. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.idle();
    this.#closed = true;
    this.#services.writes.close();
    this.#invalidator.close();
    this.#services.renderings.clear();
    this.#services.uncachedRenders.clear();
    await this.backend.close();
  }

  #planRender(
    target: Target,
    ttlSeconds: number,
    parts: readonly KeyPart[],
    render: unknown,
    options: FragmentOptions,
  ): PlannedFragment {
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
    return planned;
  }
}

/** Creates a Sweeper; with no backend, on a fresh `memoryBackend()`. */
export function createSweeper(options: SweeperOptions = {}): Sweeper {
  return new Sweeper(options);
}
