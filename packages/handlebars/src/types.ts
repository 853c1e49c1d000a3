/**
 * Types shared across this package's modules. It imports nothing of this package,
 * so no module can form an import cycle through it.
 */
import type {
  CacheSweeperError,
  FragmentSlot,
  PlannedFragment,
  RenderClaim,
  Sweeper,
  Target,
} from '@cachesweeper/core';
import type Handlebars from 'handlebars';

/** A Handlebars instance, as `Handlebars.create()` returns it. */
export type HandlebarsEnvironment = typeof Handlebars;

/** A compiled block program, as Handlebars passes it in `options.fn`. */
export interface BlockFunction {
  (context: unknown, options?: { data?: unknown; blockParams?: unknown[] }): string;
  /** How many block params the block declares (`as |x|`). */
  readonly blockParams?: number;
}

/**
 * Loads a block's data on a miss: called with the block's target and its context
 * (`this` where the block sits), after the block's version token was read, so the
 * data is never older than the key it is stored under. May return a promise.
 * Type it for the blocks that name it: `Loader<TargetRef, ArticlePage, { article: ArticleData }>`.
 */
export type Loader<TTarget extends Target = Target, TData = unknown, TContext = unknown> = (
  target: TTarget,
  context: TContext,
) => TData | Promise<TData>;

/**
 * Any loader, whatever its types: what `loaders` takes. (A loader typed for its own
 * target would not be a `Loader<Target>`: it cannot take every target.)
 */
export type AnyLoader = Loader<never, unknown, never>;

/** The value a loader produced. */
export interface Loaded {
  /** What the loader returned (awaited). */
  readonly value: unknown;
}

/** A registration's state, shared by its helper, its compile step and renders. */
export interface Registration {
  /** The instance the helper is registered on. */
  readonly handlebars: HandlebarsEnvironment;
  /** The sweeper the helper caches with. */
  readonly sweeper: Sweeper;
  /** The helper's name. */
  readonly helperName: string;
  /** Loaders that blocks can name. */
  readonly loaders: Readonly<Record<string, Loader>>;
  /** Source digest of every template this instance compiled. */
  readonly templateDigests: WeakMap<object, string>;
  /** Digests of partials registered as source text. */
  readonly sourceDigests: Map<string, string>;
  /** Reports a fallback to uncached rendering. */
  fallback(error: CacheSweeperError): void;
}

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
  /** The cached block whose rendering holds this one, if any. */
  parent?: CacheBlock;
  /** Where the page's lookup left it. */
  slot?: FragmentSlot;
  /** The rendering this page owes the session, until completed or failed. */
  claim?: RenderClaim;
  /** The block's own rendering cut at its children's placeholders (rendered blocks only). */
  cut?: Cut;
  /** The final HTML. */
  html?: string;
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
