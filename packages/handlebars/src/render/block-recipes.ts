import type { FragmentSlot } from '@cachesweeper/core';
import type { DataFrame } from '../helper/data-frames';
import type {
  BlockRecipe,
  BlockRendering,
  CacheBlock,
  Loader,
  LoaderSource,
  NestedRecipe,
  RecipeStore,
  Registration,
} from '../types';

/** Most recipes a registration keeps (the outer blocks this process rendered last). */
const MAX_RECIPES = 256;
/** How deep in `@root` a block's loader is looked for (`@root.loaders.comment` is two steps). */
const MAX_LOADER_DEPTH = 3;

/** The recipes of one registration, by block key: the most recently used kept, the oldest dropped. */
export class BlockRecipes implements RecipeStore {
  readonly #byKey = new Map<string, BlockRecipe>();

  /** The recipe kept for `key`, if any. */
  get(key: string): BlockRecipe | undefined {
    const recipe = this.#byKey.get(key);
    if (recipe === undefined) return undefined;
    this.#byKey.delete(key);
    this.#byKey.set(key, recipe);
    return recipe;
  }

  /** Keeps `block`'s rendering under its key when it qualifies (see `BlockRecipe`); forgets an older one that does not. */
  remember(registration: Registration, block: CacheBlock, rendering: BlockRendering): void {
    const key = block.slot?.key;
    if (key === undefined) return;
    const recipe = recipeOf(registration, rendering);
    this.#byKey.delete(key);
    if (recipe === undefined) return;
    if (this.#byKey.size >= MAX_RECIPES) this.#byKey.delete(this.#byKey.keys().next().value as string);
    this.#byKey.set(key, recipe);
  }
}

/**
 * The nested blocks of `recipe` as new items of a page whose block `parent` missed: each
 * with the page's `@root` and the page's own loader, or served from its `kept` slot (kept
 * from `parent`'s outdated copy: it renders nothing). `undefined` when a loader is no
 * longer where it was (the block then renders as usual).
 */
export function nestedBlocksOf(
  recipe: BlockRecipe,
  parent: CacheBlock,
  firstIndex: number,
  kept?: readonly (FragmentSlot | undefined)[],
): CacheBlock[] | undefined {
  const root = (parent.data as DataFrame | undefined)?.root;
  const blocks: CacheBlock[] = [];
  for (const [index, nested] of recipe.nested.entries()) {
    const at = firstIndex + blocks.length;
    const slot = kept?.[index];
    // A kept block renders nothing: its data frames and loader are never used.
    if (slot !== undefined) {
      blocks.push({ ...recipeBlock(nested, parent, at, nested.data, undefined), slot, html: slot.html });
      continue;
    }
    const loader = loaderNow(nested.loader, root);
    if (loader === undefined) return undefined;
    blocks.push(recipeBlock(nested, parent, at, withRoot(nested.data, root), loader));
  }
  return blocks;
}

/** Recipe block `nested` as item `index` of a page, inside `parent`, with the data frames and loader given. */
function recipeBlock(
  nested: NestedRecipe,
  parent: CacheBlock,
  index: number,
  data: unknown,
  loader: Loader | undefined,
): CacheBlock {
  return {
    kind: 'block',
    index,
    planned: nested.planned,
    fn: nested.fn,
    context: nested.context,
    data,
    target: nested.target,
    loader,
    where: nested.where,
    log: [],
    targetLog: nested.targetLog,
    uncacheable: undefined,
    readsOutside: false,
    claimed: true,
    parent,
  };
}

function recipeOf(registration: Registration, { cut, templates, exports }: BlockRendering): BlockRecipe | undefined {
  // A block that nests none has nothing to assemble (its text is its fragment): kept, such
  // recipes would push the outer blocks' out, a page of comments holding a hundred of them.
  if (!cut.refs.some((item) => item.kind === 'block')) return undefined;
  const nested: NestedRecipe[] = [];
  const sources = new Map<Loader, LoaderSource | undefined>();
  for (const item of cut.refs) {
    if (item.kind !== 'block' || item.loader === undefined || item.readsOutside || item.uncacheable !== undefined) {
      return undefined;
    }
    if (!sources.has(item.loader)) {
      sources.set(item.loader, sourceOf(registration, item.loader, (item.data as DataFrame | undefined)?.root));
    }
    const loader = sources.get(item.loader);
    if (loader === undefined) return undefined;
    nested.push({
      planned: item.planned,
      fn: item.fn,
      context: item.context,
      data: withRoot(item.data, undefined),
      target: item.target,
      loader,
      where: item.where,
      targetLog: item.targetLog,
    });
  }
  return { texts: [...cut.texts], nested, templates: new Set(templates), exports: { ...exports } };
}

function sourceOf(registration: Registration, loader: Loader, root: unknown): LoaderSource | undefined {
  if (Object.values(registration.loaders).includes(loader)) return { kind: 'registered', loader };
  // Found in two places, which one the template named cannot be told: not kept.
  const paths = pathsTo(root, loader, MAX_LOADER_DEPTH);
  return paths.length === 1 ? { kind: 'root', path: paths[0] as string[] } : undefined;
}

function loaderNow(source: LoaderSource, root: unknown): Loader | undefined {
  if (source.kind === 'registered') return source.loader;
  let value: unknown = root;
  for (const step of source.path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, step)) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return typeof value === 'function' ? (value as Loader) : undefined;
}

/** Every own-property path from `from` to `target` through plain objects, of at most `depth` steps. */
function pathsTo(from: unknown, target: unknown, depth: number): string[][] {
  if (depth === 0 || !isPlainObject(from)) return [];
  const paths: string[][] = [];
  for (const [key, value] of Object.entries(from)) {
    if (value === target) paths.push([key]);
    else for (const rest of pathsTo(value, target, depth - 1)) paths.push([key, ...rest]);
  }
  return paths;
}

/** A copy of the data frames `data` with `root` in each (`undefined`: taken out). */
function withRoot(data: unknown, root: unknown): unknown {
  if (data === null || typeof data !== 'object') return data;
  const copy: DataFrame = { ...(data as DataFrame) };
  if ('root' in copy) copy.root = root;
  if ('_parent' in copy) copy._parent = withRoot(copy._parent, root);
  return copy;
}

function isPlainObject(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
