import {
  CacheSweeperError,
  type NestedToken,
  type PlannedFragment,
  type SweeperSession,
  type SweeperStats,
  type Target,
} from '@cachesweeper/core';
import type { BlockFunction } from './block';
import type { Loader } from './loaders';
import { COMPONENT } from './location';
import { cutAtPlaceholders, newPlaceholderPrefix, placeholderFor } from './placeholders';
import type { Registration } from './registration';

/** Key of the render mode in Handlebars' data frames (`createFrame` copies it into every nested frame). */
export const STATE_KEY = '__cachesweeper';

/** Mode of a render whose cached blocks render in place and uncached (the fallback). */
export const INLINE_MODE = Object.freeze({ kind: 'inline' as const });

/** A cached block captured during a render, waiting for the resolver. */
export interface CacheBlock {
  readonly kind: 'block';
  /** Its number in this render; its placeholder carries it. */
  readonly index: number;
  /** The checked key request. */
  readonly planned: PlannedFragment;
  /** The block program. */
  readonly fn: BlockFunction;
  /** `this` where the block sat. */
  readonly context: unknown;
  /** A snapshot of the data frames where the block sat. */
  readonly data: unknown;
  /** The block's target. */
  readonly target: Target;
  /** Loads the block's data on a miss. */
  readonly loader: Loader | undefined;
  /** The block's position, for messages. */
  readonly where: string;
  /** Whether its placeholder was found in the text it was rendered into. */
  claimed: boolean;
  /** The block's own rendering cut at its children's placeholders (misses only). */
  cut?: Cut;
  /** The final HTML. */
  html?: string;
  /**
   * The counters of the cached fragments inside its HTML, at any depth, with the tokens
   * this render keyed them by; `null` when one could not be keyed (its HTML is then not stored).
   */
  nested?: readonly NestedToken[] | null;
  /** Settles the single-flight render this block leads. */
  settle?: { resolve(html: string): void; reject(error: unknown): void };
}

/** Output of a helper that transforms its block (a standalone partial's indentation), applied once the blocks in it are resolved. */
export interface TransformNode {
  readonly kind: 'transform';
  /** Its number in this render. */
  readonly index: number;
  /** The output to transform, cut at placeholders; `undefined` when a placeholder in it was damaged. */
  readonly cut: Cut | undefined;
  /** The transformation. */
  readonly transform: (html: string) => string;
  /** Whether its placeholder was found. */
  claimed: boolean;
  /** The transformed HTML, once computed. */
  html?: string;
}

/** Anything that stands behind a placeholder. */
export type DeferredItem = CacheBlock | TransformNode;

/** A rendered text cut at placeholders: `texts[0] refs[0] texts[1] …`. */
export interface Cut {
  readonly texts: string[];
  readonly refs: DeferredItem[];
}

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
}

/**
 * The state of one `renderCached` call: its placeholder prefix, the blocks and
 * transforms captured so far, the page's sweeper session, and the keys this page
 * leads a single-flight render for. Lives in the render's data frames, never in a
 * module, so concurrent renders cannot mix.
 *
 * @example
 * const state = new RenderState({ template, runtimePartials: undefined, session: undefined, stats: undefined });
 * const output = template(context, { data: { [STATE_KEY]: state } }); // blocks become placeholders
 * const html = await resolveRender(state, output);
 */
export class RenderState {
  readonly kind = 'deferred' as const;
  /** The placeholder prefix of this render. */
  readonly prefix = newPlaceholderPrefix();
  /** Every item captured, by index. */
  readonly items: DeferredItem[] = [];
  /** Keys this render leads a render for, with the nesting depth it leads them at. */
  readonly leading = new Map<string, number>();
  /** How the render was asked for. */
  readonly options: RenderStateOptions;
  #registration: Registration | undefined;
  #session: SweeperSession | undefined;
  readonly #partialsDigests = new Map<string, string>();

  constructor(options: RenderStateOptions) {
    this.options = options;
  }

  /** The registration whose helper captured the blocks. */
  get registration(): Registration {
    if (this.#registration === undefined) {
      throw new CacheSweeperError(COMPONENT, 'no cached block was captured in this render');
    }
    return this.#registration;
  }

  /** The page's session (one token snapshot and failure budget for the whole page). */
  get session(): SweeperSession {
    this.#session ??=
      this.options.session ??
      this.registration.sweeper.session(this.options.stats ? { stats: this.options.stats } : {});
    return this.#session;
  }

  /** Ties the render to the registration of the helper that runs in it; one sweeper per render. */
  bind(registration: Registration): void {
    if (this.#registration === undefined) {
      this.#registration = registration;
    } else if (this.#registration.sweeper !== registration.sweeper) {
      throw new CacheSweeperError(
        COMPONENT,
        'one render uses cachesweeper helpers registered with two different sweepers; render each page with one',
      );
    }
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

  /** Rejects every single-flight render this page still leads (its render failed). */
  abandon(error: unknown): void {
    for (const item of this.items) {
      if (item.kind === 'block' && item.settle !== undefined) {
        item.settle.reject(error);
        item.settle = undefined;
      }
    }
  }
}

/** The render mode found in a helper's data frame. */
export function modeOf(data: unknown): RenderState | typeof INLINE_MODE | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  return (data as Record<string, unknown>)[STATE_KEY] as RenderState | typeof INLINE_MODE | undefined;
}
