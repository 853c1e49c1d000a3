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
  SweeperSession,
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

/**
 * What runs right now on a registration, innermost last. Handlebars helpers are
 * synchronous, so a stack of the renders, template calls and fingerprints this package
 * started is exact: it is pushed and popped around every synchronous call, never kept
 * across an `await`. It lets a helper find its render even in a template compiled with
 * `data: false`, or called by another helper without its data.
 */
export type Frame = DeferredFrame | CallFrame | FingerprintFrame | RenderingFrame;

/** A `renderCached` render capturing blocks as placeholders (or splicing resolved ones back in). */
export interface DeferredFrame {
  readonly kind: 'deferred';
  /** The helpers passed to the render, which override the instance's. */
  readonly runtimeHelpers: Readonly<Record<string, unknown>> | undefined;
}

/** A plain `template(context)` call: blocks are cached in place, through one session for the whole call. */
export interface SyncPage {
  readonly kind: 'sync';
  /** The session of the call (created on the first block). */
  session: SweeperSession | undefined;
}

/** A call of a compiled template of this registration, from user code or a helper (not as a partial). */
export interface CallFrame {
  readonly kind: 'call';
  /** The helpers passed to the call, which override the instance's. */
  readonly runtimeHelpers: Readonly<Record<string, unknown>> | undefined;
  /** How its blocks render: into the render around it, or in place. */
  readonly mode: DeferredFrame | SyncPage;
}

/** A fingerprint being taken (see `fingerprint/`). */
export interface FingerprintFrame {
  readonly kind: 'fingerprint';
}

/** A value a template hands to the page around it (`{{cachesweeperExport name=value}}`). */
export type ExportValue = string | number | boolean | null;

/** Values exported to the page, by name. */
export type PageExports = Readonly<Record<string, ExportValue>>;

/** A cached block's body being rendered: collects the helper-called templates (and, in place, the blocks) inside it. */
export interface RenderingFrame {
  readonly kind: 'rendering';
  /** Digests of templates that helpers rendered inside it (they are not part of its key). */
  readonly templates: Set<string>;
  /** Values its body exported to the page (kept with its stored copy). */
  readonly exports: Record<string, ExportValue>;
  /** In a plain call, the cached blocks rendered inside it, one level down; `null` once one could not be keyed. */
  children: FragmentSlot[] | null;
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
  /** The compiled templates that mention `body` only to insert it as it is, once (layouts whose body may hold markers). */
  readonly bodyInserting: WeakSet<object>;
  /** Every template digest this instance compiled in this process (a stored block is served only while the templates helpers rendered in it are among them). */
  readonly knownDigests: Set<string>;
  /** Handlebars' own helpers (`each`, `if`, …) as the instance had them, when they were Handlebars' own. */
  readonly builtins: Readonly<Record<string, unknown>>;
  /** What runs right now, innermost last (see `Frame`). */
  readonly frames: Frame[];
  /** How many calls of templates compiled by `compile` are running (the first one compiles through `template(spec)`). */
  compiling: number;
  /** Names of this package's own helpers (never watched). */
  readonly ownHelpers: ReadonlySet<string>;
  /** Contexts Handlebars made for partials called with a hash (`{{> p user=me}}`), with the hash's keys. */
  readonly extensions: WeakMap<object, ReadonlySet<string>>;
  /** The watched version of each helper (see `render/helper-watch.ts`). */
  readonly watched: WeakMap<object, unknown>;
  /** The last renderings of outer blocks, to assemble them again when only a nested block moved (see `render/block-recipes.ts`). */
  readonly recipes: RecipeStore;
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
  /** What the block read when it was called, put back while it renders. */
  readonly log: readonly Read[];
  /** Its target's own properties when it was called, put back while its loader starts. */
  readonly targetLog: readonly Read[];
  /** Why its key cannot cover what it reads, when it cannot: it then renders without the cache. */
  readonly uncacheable: string | undefined;
  /** Whether its body read anything from outside itself (its fingerprint, or the template's analysis, tells). */
  readonly readsOutside: boolean;
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
  /** Digests of templates helpers rendered inside it, at any depth (kept with its stored copy). */
  templates?: ReadonlySet<string>;
  /** Values it and the blocks in it exported to the page (kept with its stored copy). */
  exports?: PageExports;
  /** The final HTML. */
  html?: string;
  /** On a hit, the cached value its HTML was opened from (the HTML is its end): a local copy is the same string on every hit. */
  source?: string;
}

/** A property read by a fingerprint, as it was when the block was called. */
export interface Read {
  /** The object read. */
  readonly object: object;
  /** The property read (a symbol for "its own keys"). */
  readonly key: PropertyKey;
  /** Its value then. */
  readonly value: unknown;
  /** Whether the object had the property then. */
  readonly present: boolean;
}

/** A helper call that changed the output of the cached blocks inside it: called again once they are resolved. */
export interface RerunNode {
  readonly kind: 'rerun';
  /** Its number in this render. */
  readonly index: number;
  /** The items created during the first call (the blocks in it are resolved before the second). */
  readonly inner: readonly DeferredItem[];
  /** Calls the helper again (in a splice pass: the blocks in it return their HTML), with the reads of the first call put back. */
  readonly rerun: () => string;
  /** Whether its placeholder was found. */
  claimed: boolean;
  /** The second call's output, once computed. */
  html?: string;
}

/** Output of a helper that transforms its block (a standalone partial's indentation), applied once the blocks in it are resolved. */
export interface TransformNode {
  readonly kind: 'transform';
  /** Its number in this render. */
  readonly index: number;
  /** The output to transform, as the helper gave it. */
  readonly input: string;
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
export type DeferredItem = CacheBlock | TransformNode | RerunNode;

/** A rendered text cut at placeholders: `texts[0] refs[0] texts[1] …`. */
export interface Cut {
  readonly texts: string[];
  readonly refs: DeferredItem[];
}

/** Where a block's loader comes from, so that a later page takes its own. */
export type LoaderSource =
  | { readonly kind: 'registered'; readonly loader: Loader }
  | { readonly kind: 'root'; readonly path: readonly string[] };

/** A block nested in a recipe: how to call it again, with the page's own `@root` and loader. */
export interface NestedRecipe {
  readonly planned: PlannedFragment;
  readonly fn: BlockFunction;
  readonly context: unknown;
  /** Its data frames, with `root` taken out (a later page puts its own in). */
  readonly data: unknown;
  readonly target: Target;
  readonly loader: LoaderSource;
  readonly where: string;
  readonly targetLog: readonly Read[];
}

/**
 * A block's last rendering in this process, cut at the blocks nested in it: its own text
 * and how to call each nested block again. Kept under the block's key, which holds the
 * block's own tokens: while that key is current, what the block rendered around its nested
 * blocks is current too (the same premise on which its stored copy is served), and only
 * nested blocks whose own counters moved need rendering. A page whose lookup of the block
 * missed because a nested block's counter moved (after a vote, say) assembles it from the
 * recipe, without running the block's loader or body.
 *
 * Only blocks whose nested blocks all take their data from a loader and read nothing from
 * outside themselves are kept (what such a block shows depends on its row alone), and only
 * while each loader can be found again on a later page: registered by name, or in `@root`
 * (a page's own loaders, as the blog passes them). A nested block that reads `@root`, `../`
 * or `@index` would show the earlier page's values: it is never reused.
 */
export interface BlockRecipe {
  readonly texts: readonly string[];
  readonly nested: readonly NestedRecipe[];
  readonly templates: ReadonlySet<string>;
  readonly exports: Readonly<Record<string, ExportValue>>;
}

/** Keeps the outer blocks' last renderings by key (see `render/block-recipes.ts`). */
export interface RecipeStore {
  /** The recipe kept for `key`, if any. */
  get(key: string): BlockRecipe | undefined;
  /** Keeps `block`'s rendering under its key when it qualifies; forgets an older one that does not. */
  remember(registration: Registration, block: CacheBlock, rendering: BlockRendering): void;
}

/** A block's own rendering: its text cut at its nested blocks, the templates helpers rendered in it, what it exported. */
export interface BlockRendering {
  readonly cut: Cut;
  readonly templates: ReadonlySet<string>;
  readonly exports: Record<string, ExportValue>;
}
