import { CacheSweeperError } from '@cachesweeper/core';
import { withFrame } from '../frames';
import { COMPONENT } from '../location';
import type { CacheBlock, Cut, DeferredItem } from '../types';
import { blocksOf, htmlOfCut, rerunsOf } from './cut-contents';
import { fragmentIdentity } from './fragment-identity';
import type { Resolution } from './resolution';

const MAX_PASSES = 4;

/**
 * Renders something again — a block's body, the page, a helper call that changed the
 * output of the cached blocks in it — in a splice pass: every block whose identity is
 * resolved returns its HTML instead of a placeholder, so helpers see what an uncached
 * render would show them. Blocks it meets for the first time are resolved and the pass
 * runs again. Returns the HTML and the blocks resolved on the way.
 */
export async function spliceRender(
  resolution: Resolution,
  known: readonly CacheBlock[],
  render: () => string,
  parent: CacheBlock | undefined,
): Promise<{ readonly html: string; readonly fresh: CacheBlock[] }> {
  const { state } = resolution;
  const resolved = new Map<string, string>();
  for (const block of known) if (block.html !== undefined) resolved.set(fragmentIdentity(block.planned), block.html);
  const fresh: CacheBlock[] = [];
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const first = state.items.length;
    const previous = state.splice;
    state.splice = resolved;
    let text: string;
    try {
      text = withFrame(state.registration, state, render);
    } finally {
      state.splice = previous;
    }
    const cut = state.cut(text, first);
    if (cut === undefined) {
      throw new CacheSweeperError(
        COMPONENT,
        `${parent?.where ?? 'renderCached'}: a helper changed or dropped the output of cached blocks even with their HTML in place; it cannot be rendered`,
      );
    }
    const blocks = blocksOf(cut);
    if (blocks.length === 0) {
      fresh.push(...(await settleReruns(resolution, cut, parent)));
      return { html: htmlOfCut(cut), fresh };
    }
    for (const block of blocks) block.parent = parent;
    await resolution.level(blocks);
    for (const block of blocks) {
      fresh.push(block);
      if (block.html !== undefined) resolved.set(fragmentIdentity(block.planned), block.html);
    }
  }
  throw new CacheSweeperError(
    COMPONENT,
    `${parent?.where ?? 'renderCached'}: its cached blocks changed on every one of ${MAX_PASSES} passes; a helper renders differently each time`,
  );
}

/** Calls every rerun in a cut again, the blocks in it resolved; returns the blocks the second calls met first. */
export async function settleReruns(
  resolution: Resolution,
  cut: Cut,
  parent: CacheBlock | undefined,
): Promise<CacheBlock[]> {
  const fresh: CacheBlock[] = [];
  for (const node of rerunsOf(cut)) {
    const result = await spliceRender(resolution, blocksIn(node.inner), node.rerun, parent);
    node.html = result.html;
    fresh.push(...result.fresh);
  }
  return fresh;
}

function blocksIn(items: readonly DeferredItem[]): CacheBlock[] {
  return blocksOf({ texts: [], refs: [...items] });
}
