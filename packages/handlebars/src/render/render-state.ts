import { CacheSweeperError, type SweeperSession, type SweeperStats } from '@cachesweeper/core';
import { COMPONENT } from '../location';
import type { Cut, DeferredItem, Registration } from '../types';
import { cutAtPlaceholders, newPlaceholderPrefix, placeholderFor } from './placeholders';

/** Key of the render mode in Handlebars' data frames (`createFrame` copies it into every nested frame). */
export const STATE_KEY = '__cachesweeper';

/** The span of a page's render, as tracing backends show it. */
export const RENDER_TRACE = { name: 'cachesweeper render' };

/** Mode of a render whose cached blocks render in place and uncached (the fallback). */
export const INLINE_MODE = Object.freeze({ kind: 'inline' as const });

/** How `renderCached` was asked to render. */
export interface RenderStateOptions {
  /** The top-level template (its digest is part of partial-using blocks' keys). */
  readonly template: object | undefined;
  /** Partials passed to this render call. */
  readonly runtimePartials: Readonly<Record<string, unknown>> | undefined;
  /** A session to share with other renders of the same page. */
  readonly session: SweeperSession | undefined;
  /** Per-page counters. */
  readonly stats: SweeperStats | undefined;
  /** Whether the render may read prototype properties (`allowProtoPropertiesByDefault`, `allowedProtoProperties`). */
  readonly prototypeAccess?: boolean;
}

/**
 * The state of one `renderCached` call: the registration of the instance that
 * compiled its template, its placeholder prefix, the blocks and transforms captured
 * so far, and the page's sweeper session. Lives in the render's data frames, never in
 * a module, so concurrent renders cannot mix.
 *
 * @example
 * const state = new RenderState(registration, { template, runtimePartials: undefined, session: undefined, stats: undefined });
 * const output = template(context, { data: { [STATE_KEY]: state } }); // blocks become placeholders
 * const html = await resolveRender(state, output);
 */
export class RenderState {
  readonly kind = 'deferred' as const;
  /** The placeholder prefix of this render. */
  readonly prefix = newPlaceholderPrefix();
  /** Every item captured, by index. */
  readonly items: DeferredItem[] = [];
  /** How the render was asked for. */
  readonly options: RenderStateOptions;
  readonly #registration: Registration | undefined;
  #session: SweeperSession | undefined;
  readonly #partialsDigests = new Map<string, string>();

  /** A render of a template compiled by `registration`'s instance (`undefined`: by another one). */
  constructor(registration: Registration | undefined, options: RenderStateOptions) {
    this.#registration = registration;
    this.options = options;
  }

  /** The registration of the instance that compiled the template. */
  get registration(): Registration {
    if (this.#registration === undefined) {
      throw new CacheSweeperError(
        COMPONENT,
        'renderCached: the template was compiled without its template digest (before registerCacheSweeper, or by a Handlebars instance not given to it), so an edited template could serve old HTML: compile it with the registered instance, after registering',
      );
    }
    return this.#registration;
  }

  /** Checks that the helper of `registration` may capture blocks in this render (one sweeper per render). */
  admit(registration: Registration): void {
    if (this.registration.sweeper !== registration.sweeper) {
      throw new CacheSweeperError(
        COMPONENT,
        'one render uses cachesweeper helpers registered with two different sweepers; render each page with one',
      );
    }
  }

  /**
   * The page's session (one token snapshot and failure budget for the whole page). One
   * this render made itself has an OpenTelemetry span, which `end` closes.
   */
  get session(): SweeperSession {
    this.#session ??=
      this.options.session ??
      this.registration.sweeper.session({
        ...(this.options.stats ? { stats: this.options.stats } : {}),
        trace: RENDER_TRACE,
      });
    return this.#session;
  }

  /** Ends the span of a session this render made (a given session is its owner's to end). */
  end(error?: unknown): void {
    if (this.#session !== undefined && this.#session !== this.options.session) this.#session.end(error);
  }

  /** The full digest of partial-using blocks with this compiled digest and partial-block context, computed once per render. */
  partialsDigest(key: string, compute: () => string): string {
    let digest = this.#partialsDigests.get(key);
    if (digest === undefined) {
      digest = compute();
      this.#partialsDigests.set(key, digest);
    }
    return digest;
  }

  /** Adds a block or transform and returns its placeholder. */
  add(item: DeferredItem): string {
    this.items.push(item);
    return placeholderFor(this.prefix, item.index);
  }

  /**
   * Cuts a text rendered in this render at its placeholders, marking the items it
   * holds as found. With `first`, every item created from `first` on (while the
   * text was rendered) must have been found, in it or in a transform inside it;
   * `undefined` when one was not (an enclosing helper dropped or rewrote it).
   */
  cut(text: string, first?: number): Cut | undefined {
    const end = this.items.length;
    const cut = cutAtPlaceholders(text, this.prefix);
    if (cut === undefined) return undefined;
    const refs: DeferredItem[] = [];
    for (const index of cut.refs) {
      const item = this.items[index];
      if (item === undefined || (first !== undefined && index < first)) return undefined;
      item.claimed = true;
      refs.push(item);
    }
    if (first !== undefined) {
      for (let index = first; index < end; index++) {
        if (!(this.items[index] as DeferredItem).claimed) return undefined;
      }
    }
    return { texts: cut.texts, refs };
  }

  /** Fails every rendering this page still owes its session (the render failed): pages waiting for them render their own. */
  abandon(error: unknown): void {
    for (const item of this.items) {
      if (item.kind === 'block' && item.claim !== undefined) {
        item.claim.fail(error);
        item.claim = undefined;
      }
    }
  }
}

/** The render mode found in a helper's data frame. */
export function modeOf(data: unknown): RenderState | typeof INLINE_MODE | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  return (data as Record<string, unknown>)[STATE_KEY] as RenderState | typeof INLINE_MODE | undefined;
}
