import type { FragmentSlot } from '@cachesweeper/core';
import { inCapturedContainer } from '../compile/capture-container';
import { travelBack } from '../fingerprint/time-travel';
import { withFrame } from '../frames';
import { blockError } from '../location';
import type { BlockRecipe, CacheBlock, Cut, ExportValue, Loaded, RenderingFrame } from '../types';
import { renderBody } from './block-body';
import { nestedBlocksOf } from './block-recipes';
import { blocksOf, htmlOfCut } from './cut-contents';
import { type KeptPart, parseParts, partsOf } from './kept-parts';
import { startLoad } from './loaders';
import { mergeExports } from './page-exports';
import type { RenderState } from './render-state';
import type { Resolution } from './resolution';
import { settleReruns, spliceRender } from './splice-render';
import { openEnvelope, sealEnvelope } from './template-envelope';

/** A block's first rendering: its text cut at placeholders (or not, when a helper damaged one), what it nests. */
interface FirstRender {
  readonly cut: Cut | undefined;
  readonly children: CacheBlock[];
  /** Those of `children` still to look up (the others were kept from an outdated copy). */
  readonly pending: readonly CacheBlock[];
  readonly templates: Set<string>;
  readonly exports: Record<string, ExportValue>;
}

/**
 * Renders the blocks of a level that this page owes its session. Their loaders all
 * start in this turn (a batching loader answers them with one query); each body renders
 * with what it read when it was called put back (see `time-travel.ts`); the blocks
 * inside them form the next level. A body whose cached blocks a helper damaged renders
 * again in a splice pass once they are resolved. Each is completed with its HTML (and
 * the templates helpers rendered in it) and the blocks it holds.
 */
export async function renderBlocks(resolution: Resolution, blocks: readonly CacheBlock[]): Promise<void> {
  if (blocks.length === 0) return;
  const { state } = resolution;
  const assembled = blocks.map((block) => fromRecipe(state, block));
  const loads = blocks.map((block, index) => {
    if (block.loader === undefined || assembled[index] !== undefined) return undefined;
    const undo = travelBack(block.targetLog);
    try {
      return startLoad(block.loader, block.target, block.context);
    } finally {
      undo();
    }
  });
  const loaded: (Loaded | undefined)[] = loads.some((load) => load !== undefined) ? await Promise.all(loads) : [];
  const renders = blocks.map((block, index) => assembled[index] ?? firstRender(state, block, loaded[index]));
  await resolution.level(renders.flatMap((render) => render.pending));
  for (const [index, block] of blocks.entries()) {
    const render = renders[index] as FirstRender;
    if (render.cut !== undefined) {
      const reruns = await settleReruns(resolution, render.cut, block);
      render.children.push(...reruns);
      block.html = htmlOfCut(render.cut);
      // Assembled from its recipe and nothing rendered again: the recipe kept under its key already says the same.
      if (assembled[index] === undefined || reruns.length > 0) {
        state.registration.recipes.remember(state.registration, block, { ...render, cut: render.cut });
      }
    } else {
      const again = () => bodyOf(state, block, loaded[index], render.templates, render.exports);
      const result = await spliceRender(resolution, render.children, again, block);
      render.children.push(...result.fresh);
      block.html = result.html;
    }
    complete(state, block, render);
  }
}

function firstRender(state: RenderState, block: CacheBlock, loaded: Loaded | undefined): FirstRender {
  const first = state.items.length;
  const templates = new Set<string>();
  const exports: Record<string, ExportValue> = {};
  const cut = state.cut(bodyOf(state, block, loaded, templates, exports), first);
  const children = cut !== undefined ? blocksOf(cut) : capturedSince(state, first);
  if (cut === undefined) {
    state.registration.fallback(
      blockError(
        block.where,
        'a helper inside this block changed or dropped the output of a cached block in it (wrap such a helper with transformBlockOutput); rendered this block again once those were resolved',
      ),
    );
  }
  for (const child of children) child.parent = block;
  return { cut, children, pending: children, templates, exports };
}

/**
 * A block that missed only because a block nested in it moved, assembled from its last
 * rendering in this process (see `block-recipes.ts`): its own text kept, its nested blocks
 * looked up (and rendered, if they missed) again. `undefined` when there is no such recipe.
 */
function fromRecipe(state: RenderState, block: CacheBlock): FirstRender | undefined {
  const key = block.slot?.key;
  const recipe = key === undefined ? undefined : state.registration.recipes.get(key);
  if (recipe === undefined) return undefined;
  const templates = new Set(recipe.templates);
  const kept = keptFromOutdated(state, block, recipe, templates);
  const children = nestedBlocksOf(recipe, block, state.items.length, kept);
  if (children === undefined) return undefined;
  for (const child of children) state.add(child);
  return {
    cut: { texts: [...recipe.texts], refs: children },
    children,
    pending: kept === undefined ? children : children.filter((child) => child.html === undefined),
    templates,
    exports: { ...recipe.exports },
  };
}

/**
 * The slots of `block`'s nested blocks kept from its outdated copy, those whose rows did
 * not change since it (see `kept-parts.ts`), adding the templates the copy holds to
 * `templates`; `undefined` when it keeps none. A copy whose nested blocks exported to the
 * page keeps none: what each exported is not kept apart.
 */
function keptFromOutdated(
  state: RenderState,
  block: CacheBlock,
  recipe: BlockRecipe,
  templates: Set<string>,
): (FragmentSlot | undefined)[] | undefined {
  const slot = block.slot;
  if (slot?.outdated === undefined) return undefined;
  const opened = openEnvelope(slot.outdated.html, state.registration.knownDigests);
  if (opened?.parts === undefined || !sameExports(opened.exports ?? {}, recipe.exports)) return undefined;
  const parts = parseParts(opened.parts, opened.html, recipe.texts);
  if (parts === undefined) return undefined;
  const candidates = recipe.nested.map(({ planned }, index) => {
    const { start, end, token } = parts[index] as KeptPart;
    return { planned, counterToken: token, html: opened.html.slice(start, end) };
  });
  const kept = state.session.keep(slot, candidates);
  for (const digest of opened.templates ?? []) templates.add(digest);
  return kept;
}

function sameExports(a: Readonly<Record<string, ExportValue>>, b: Readonly<Record<string, ExportValue>>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Renders a block's body as it was when the block was called. */
function bodyOf(
  state: RenderState,
  block: CacheBlock,
  loaded: Loaded | undefined,
  templates: Set<string>,
  exports: Record<string, ExportValue>,
): string {
  const registration = state.registration;
  const rendering: RenderingFrame = { kind: 'rendering', templates, exports, children: null };
  const undo = travelBack(block.log);
  try {
    return withFrame(registration, state, () =>
      withFrame(registration, rendering, () =>
        inCapturedContainer(block.fn, () =>
          renderBody(block, loaded, state.options.prototypeAccess ? undefined : block.where),
        ),
      ),
    );
  } finally {
    undo();
  }
}

/** The blocks captured since item `first`. */
function capturedSince(state: RenderState, first: number): CacheBlock[] {
  return state.items.slice(first).filter((item): item is CacheBlock => item.kind === 'block');
}

function complete(state: RenderState, block: CacheBlock, render: FirstRender): void {
  const templates = new Set(render.templates);
  for (const child of render.children) for (const digest of child.templates ?? []) templates.add(digest);
  block.templates = templates;
  // The blocks in it export too: a hit on this block renders none of them.
  block.exports = mergeExports([render.exports, ...render.children.map((child) => child.exports)]);
  const parts = render.cut === undefined || block.claim === undefined ? undefined : partsOf(render.cut, state.session);
  const extras = { templates: block.templates, exports: block.exports, parts };
  block.claim?.complete(sealEnvelope(block.html as string, extras), slotsOf(render.children));
  block.claim = undefined;
}

/** The slots of the blocks a rendering holds; `null` when one is unknown. */
function slotsOf(blocks: readonly CacheBlock[]): FragmentSlot[] | null {
  const slots: FragmentSlot[] = [];
  for (const block of blocks) {
    if (block.slot === undefined) return null;
    slots.push(block.slot);
  }
  return slots;
}
