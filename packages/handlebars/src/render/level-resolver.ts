import { FragmentSlot } from '@cachesweeper/core';
import type { PageBytes } from '../bytes/page-bytes';
import { blockError } from '../location';
import type { CacheBlock } from '../types';
import { renderBlocks } from './block-rendering';
import { blocksOf, htmlOfCut } from './cut-contents';
import type { RenderState } from './render-state';
import type { Resolution } from './resolution';
import { settleReruns, spliceRender } from './splice-render';
import { openEnvelope } from './template-envelope';

/**
 * Resolves the placeholders of a render's output one nesting level at a time,
 * following the session protocol of `@cachesweeper/core`: one `lookup` per level (one
 * token round, one fragment round) for every block of the level; hits are spliced
 * in; every other block is claimed — rendered here (its loaders all start at once,
 * and its nested blocks form the next level) and completed with the blocks rendered
 * inside it, or waited for while another page renders it. When a helper at the top of
 * the page damaged a placeholder, the blocks are resolved and the page renders again
 * in a splice pass (`render`). `trim`: the page as `String#trim` would leave it; `bytes`:
 * its large cached blocks stand as markers (see `PageBytes`).
 */
export async function resolveRender(
  state: RenderState,
  output: string,
  render: () => string,
  trim = false,
  bytes?: PageBytes,
): Promise<string> {
  const resolution: Resolution = { state, level: (blocks) => resolveLevel(resolution, blocks) };
  try {
    const top = state.cut(output, 0);
    if (top !== undefined) {
      await resolution.level(blocksOf(top));
      await settleReruns(resolution, top, undefined);
      return htmlOfCut(top, trim, bytes);
    }
    state.registration.fallback(
      blockError(
        'renderCached',
        'a helper changed or dropped the output of a cached block (wrap such a helper with transformBlockOutput); rendered the page again once the blocks were resolved',
      ),
    );
    const blocks = state.items.filter((item): item is CacheBlock => item.kind === 'block');
    await resolution.level(blocks);
    const { html } = await spliceRender(resolution, blocks, render, undefined);
    return trim ? html.trim() : html;
  } catch (error) {
    state.abandon(error);
    throw error;
  }
}

async function resolveLevel(resolution: Resolution, blocks: readonly CacheBlock[]): Promise<void> {
  if (blocks.length === 0) return;
  const { state } = resolution;
  const session = state.session;
  const cacheable = blocks.filter((block) => block.uncacheable === undefined);
  const slots = await session.lookup(cacheable.map((block) => block.planned));
  const found = new Map(cacheable.map((block, index) => [block, slots[index] as FragmentSlot]));
  const rendering: CacheBlock[] = [];
  const waiting: Promise<void>[] = [];
  for (const block of blocks) {
    const slot = found.get(block);
    if (slot === undefined) {
      // Its key cannot cover what it reads: rendered for this page alone.
      block.slot = new FragmentSlot(block.planned, { key: undefined, html: undefined });
      block.claim = session.claimPrivately(block.slot);
      rendering.push(block);
      continue;
    }
    block.slot = slot;
    if (slot.html !== undefined) {
      const opened = openEnvelope(slot.html, state.registration.knownDigests);
      if (opened !== undefined) {
        block.html = opened.html;
        block.source = slot.html;
        block.templates = opened.templates;
        block.exports = opened.exports;
        continue;
      }
      // Stored before a template that a helper renders in it changed: render and store over it.
      block.slot = new FragmentSlot(slot.planned, { key: slot.key, html: undefined });
    }
    const claim = session.claim(block.slot, block.parent?.slot);
    if (claim.role === 'render') {
      block.claim = claim;
      rendering.push(block);
      continue;
    }
    waiting.push(
      claim.rendering.then((html) => {
        const opened = html === undefined ? undefined : openEnvelope(html, state.registration.knownDigests);
        if (opened !== undefined) {
          block.html = opened.html;
          block.source = html;
          block.templates = opened.templates;
          block.exports = opened.exports;
          return;
        }
        // The other rendering failed, did not arrive in time, or nests other tokens than this page read.
        block.claim = session.claimAfterWait(block.slot as FragmentSlot);
        return renderBlocks(resolution, [block]);
      }),
    );
  }
  await renderBlocks(resolution, rendering);
  await Promise.all(waiting);
}
