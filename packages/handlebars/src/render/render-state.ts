import { CacheSweeperError, type SweeperSession, type SweeperStats } from '@cachesweeper/core';
import { COMPONENT } from '../location';
import type { Cut, DeferredFrame, DeferredItem, ExportValue, PageExports, Read, Registration } from '../types';
import { mergeExports } from './page-exports';
import { cutAtPlaceholders, newPlaceholderPrefix, placeholderFor } from './placeholders';

/** The span of a page's render, as tracing backends show it. */
export const RENDER_TRACE = { name: 'cachesweeper render' };

/** How `renderCached` was asked to render. */
export interface RenderStateOptions {
  /** The helpers passed to the render. */
  readonly runtimeHelpers: Readonly<Record<string, unknown>> | undefined;
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
 * so far, and the page's sweeper session. It is the frame blocks defer into while the
 * render's synchronous parts run (see `Frame`); nothing of it lives in a module, so
 * concurrent renders cannot mix.
 *
 * @example
 * const state = new RenderState(registration, { runtimeHelpers: undefined, session: undefined, stats: undefined });
 * const output = withFrame(registration, state, () => template(context)); // blocks become placeholders
 * const html = await resolveRender(state, output);
 */
export class RenderState implements DeferredFrame {
  readonly kind = 'deferred' as const;
  /** The placeholder prefix of this render. */
  readonly prefix = newPlaceholderPrefix();
  /** Every item captured, by index. */
  readonly items: DeferredItem[] = [];
  /** Outputs of block programs and template calls holding placeholders, and what they read, while a watched helper runs (see `helper-watch.ts`). */
  readonly outputs: { readonly text: string; readonly log: readonly Read[] }[] = [];
  /** Items a helper changed the output of without it being seen in the placeholders: the text around them renders again. */
  readonly damaged = new Set<DeferredItem>();
  /** Values exported outside every cached block (`{{cachesweeperExport}}`). */
  readonly exports: Record<string, ExportValue> = {};
  /** During a splice pass, the HTML of every block resolved so far, by identity: blocks return it instead of a placeholder. */
  splice: ReadonlyMap<string, string> | undefined;
  /** How the render was asked for. */
  readonly options: RenderStateOptions;
  readonly #registration: Registration | undefined;
  #session: SweeperSession | undefined;

  /** A render of a template compiled by `registration`'s instance (`undefined`: by another one). */
  constructor(registration: Registration | undefined, options: RenderStateOptions) {
    this.#registration = registration;
    this.options = options;
  }

  /** The helpers passed to the render. */
  get runtimeHelpers(): Readonly<Record<string, unknown>> | undefined {
    return this.options.runtimeHelpers;
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
        keepsUnchanged: true,
      });
    return this.#session;
  }

  /** Ends the span of a session this render made (a given session is its owner's to end). */
  end(error?: unknown): void {
    if (this.#session !== undefined && this.#session !== this.options.session) this.#session.end(error);
  }

  /** What the page's blocks (hit, rendered or waited for) and its top level exported; a name exported twice keeps one of its values. */
  pageExports(): PageExports | undefined {
    const blocks = this.items.map((item) => (item.kind === 'block' ? item.exports : undefined));
    return mergeExports([...blocks, this.exports]);
  }

  /**
   * Whether `text` may hold placeholders of this render. Before the render made any, none
   * can exist (the prefix is random per render), so the text is not searched: a layout's
   * output holds the whole page, and every template call and watched helper searched it.
   */
  mayHoldPlaceholders(text: string): boolean {
    return this.items.length > 0 && text.includes(this.prefix);
  }

  /** Adds a block or transform and returns its placeholder. */
  add(item: DeferredItem): string {
    this.items.push(item);
    return placeholderFor(this.prefix, item.index);
  }

  /** The placeholder of an item. */
  placeholderOf(item: DeferredItem): string {
    return placeholderFor(this.prefix, item.index);
  }

  /**
   * Cuts a text rendered in this render at its placeholders, marking the items it
   * holds as found (and the items inside the transforms and reruns it holds). With
   * `first`, every item created from `first` on (while the text was rendered) must
   * have been found; `undefined` when one was not (a helper dropped or rewrote it).
   */
  cut(text: string, first?: number): Cut | undefined {
    const end = this.items.length;
    const cut = cutAtPlaceholders(text, this.prefix);
    if (cut === undefined) return undefined;
    const refs: DeferredItem[] = [];
    for (const index of cut.refs) {
      const item = this.items[index];
      if (item === undefined || (first !== undefined && index < first) || this.damaged.has(item)) return undefined;
      claim(item);
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

/** Marks an item as found, and what a rerun holds (its blocks are resolved with the text around it). */
function claim(item: DeferredItem): void {
  item.claimed = true;
  if (item.kind === 'rerun') for (const inner of item.inner) claim(inner);
}
