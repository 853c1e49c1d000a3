import type { FragmentSlot } from '@cachesweeper/core';
import { inCapturedContainer } from '../compile/capture-container';
import { blockError } from '../location';
import type { CacheBlock, Cut, DeferredItem, Loaded } from '../types';
import { renderBody } from './block-body';
import { startLoad } from './loaders';
import { joinCut } from './placeholders';
import { INLINE_MODE, type RenderState, STATE_KEY } from './render-state';

/**
 * Resolves the placeholders of a render's output one nesting level at a time,
 * following the session protocol of `@cachesweeper/core`: one `lookup` per level (one
 * token round, one fragment round) for every block of the level; hits are spliced
 * in; every other block is claimed — rendered here (its loaders all start at once,
 * and its nested blocks form the next level) and completed with the blocks rendered
 * inside it, or waited for while another page renders it. Resolves `undefined` when
 * an enclosing helper dropped or rewrote a placeholder at the top level (the caller
 * then renders the page without the cache).
 */
export async function resolveRender(state: RenderState, output: string): Promise<string | undefined> {
  const top = state.cut(output, 0);
  if (top === undefined) return undefined;
  try {
    await resolveLevel(state, blocksOf(top));
  } catch (error) {
    state.abandon(error);
    throw error;
  }
  return htmlOfCut(top);
}

async function resolveLevel(state: RenderState, blocks: readonly CacheBlock[]): Promise<void> {
  if (blocks.length === 0) return;
  const session = state.session;
  const slots = await session.lookup(blocks.map((block) => block.planned));
  const rendering: CacheBlock[] = [];
  const waiting: Promise<void>[] = [];
  blocks.forEach((block, index) => {
    const slot = slots[index];
    block.slot = slot;
    if (slot === undefined || slot.html !== undefined) {
      block.html = slot?.html;
      return;
    }
    const claim = session.claim(slot, block.parent?.slot);
    if (claim.role === 'render') {
      block.claim = claim;
      rendering.push(block);
      return;
    }
    waiting.push(
      claim.rendering.then((html) => {
        if (html !== undefined) {
          block.html = html;
          return;
        }
        // The other rendering failed, did not arrive in time, or nests other tokens than this page read.
        block.claim = session.claimAfterWait(slot);
        return renderBlocks(state, [block]);
      }),
    );
  });
  await renderBlocks(state, rendering);
  await Promise.all(waiting);
}

async function renderBlocks(state: RenderState, blocks: readonly CacheBlock[]): Promise<void> {
  if (blocks.length === 0) return;
  // Every loader of the level starts in this turn, so a batching loader (DataLoader)
  // can answer all of them with one query.
  const loads = blocks.map((block) =>
    block.loader === undefined ? undefined : startLoad(block.loader, block.target, block.context),
  );
  const loaded: (Loaded | undefined)[] = loads.some((load) => load !== undefined) ? await Promise.all(loads) : [];
  const children: CacheBlock[] = [];
  const nestedIn = new Map<CacheBlock, readonly CacheBlock[]>();
  blocks.forEach((block, index) => {
    const value = loaded[index];
    const first = state.items.length;
    const raw = inCapturedContainer(block.fn, () => renderBody(block, value));
    const cut = state.cut(raw, first);
    if (cut !== undefined) {
      block.cut = cut;
      const nested = blocksOf(cut);
      nestedIn.set(block, nested);
      for (const child of nested) {
        child.parent = block;
        children.push(child);
      }
    } else {
      state.registration.fallback(
        blockError(
          block.where,
          'a helper inside this block changed or dropped the output of a cached block in it (wrap such a helper with transformBlockOutput); rendered this block without the cache',
        ),
      );
      block.html = renderInPlace(block, value);
    }
  });
  await resolveLevel(state, children);
  for (const block of blocks) {
    block.html ??= htmlOfCut(block.cut as Cut);
    // Rendered in place, its nested blocks are unknown (`null`): it is not stored.
    block.claim?.complete(block.html, slotsOf(nestedIn.get(block)));
    block.claim = undefined;
  }
}

/** The slots of blocks a rendering held; `null` when unknown. */
function slotsOf(blocks: readonly CacheBlock[] | undefined): FragmentSlot[] | null {
  if (blocks === undefined) return null;
  const slots: FragmentSlot[] = [];
  for (const block of blocks) {
    if (block.slot === undefined) return null;
    slots.push(block.slot);
  }
  return slots;
}

/** Renders a block and everything in it in place, without the cache. */
function renderInPlace(block: CacheBlock, loaded: Loaded | undefined): string {
  const data = { ...(block.data as object), [STATE_KEY]: INLINE_MODE };
  return inCapturedContainer(block.fn, () => renderBody({ ...block, data }, loaded));
}

/** The cached blocks behind a cut's placeholders, looking through transforms; each once. */
function blocksOf(cut: Cut): CacheBlock[] {
  const found = new Set<CacheBlock>();
  const visit = (refs: readonly DeferredItem[]) => {
    for (const item of refs) {
      if (item.kind === 'block') found.add(item);
      else if (item.cut !== undefined) visit(item.cut.refs);
    }
  };
  visit(cut.refs);
  return [...found];
}

function htmlOfCut(cut: Cut): string {
  return joinCut(cut.texts, cut.refs.map(htmlOf));
}

function htmlOf(item: DeferredItem): string {
  if (item.kind === 'transform') {
    item.html ??= item.transform(htmlOfCut(item.cut as Cut));
    return item.html;
  }
  return item.html as string;
}
