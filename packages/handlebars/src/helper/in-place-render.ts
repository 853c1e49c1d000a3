import { CacheSweeperError, type FragmentSlot, type PlannedFragment } from '@cachesweeper/core';
import type { Fingerprint } from '../fingerprint/block-fingerprint';
import { innermost, withFrame } from '../frames';
import { COMPONENT } from '../location';
import { renderBody } from '../render/block-body';
import { loadNow } from '../render/loaders';
import { type BlockExtras, openEnvelope, sealEnvelope } from '../render/template-envelope';
import type { Registration, RenderingFrame, SyncPage } from '../types';
import type { BlockArguments } from './block-arguments';

/**
 * Caches a block in place, in a plain `template(context)` call (a synchronous backend):
 * one lookup through the call's session, and on a miss the body renders here — its
 * loader must answer synchronously — with the blocks it nests recorded as its children.
 * A block whose fingerprint cannot be known renders without the cache.
 */
export function renderInPlace(
  registration: Registration,
  page: SyncPage,
  block: BlockArguments,
  planned: PlannedFragment,
  fingerprint: Fingerprint | undefined,
  context: unknown,
  data: unknown,
): string {
  if (!registration.sweeper.isSynchronous) {
    throw new CacheSweeperError(
      COMPONENT,
      `${block.where}: the ${registration.sweeper.backend.name} backend is asynchronous, so a plain template(context) call cannot wait for it; render with renderCached(template, context) or the express-handlebars engine`,
    );
  }
  const parent = innermost(registration, 'rendering');
  const rendering: RenderingFrame = { kind: 'rendering', templates: new Set(), exports: {}, children: [] };
  const render = () => withFrame(registration, rendering, () => renderUncached(block, context, data));
  if (fingerprint?.unknown !== undefined) {
    const html = render();
    noteChild(parent, undefined, rendering);
    return html;
  }
  page.session ??= registration.sweeper.session();
  const [slot] = page.session.lookupSync([planned]) as [FragmentSlot];
  if (slot.html !== undefined) {
    const opened = openEnvelope(slot.html, registration.knownDigests);
    if (opened !== undefined) {
      noteChild(parent, slot, opened);
      return opened.html;
    }
  }
  // A miss, or a copy holding a template this process does not know: render and store over it.
  const claim = page.session.claimSync(slot);
  let html: string;
  try {
    html = render();
  } catch (error) {
    claim.fail(error);
    throw error;
  }
  claim.complete(sealEnvelope(html, rendering), rendering.children);
  noteChild(parent, slot, rendering);
  return html;
}

/** Renders a block's body in place without the cache; a loader must answer synchronously. */
export function renderUncached(block: BlockArguments, context: unknown, data: unknown): string {
  const loaded = block.loader === undefined ? undefined : loadNow(block.loader, block.target, context, block.where);
  return renderBody({ fn: block.fn, context, data, target: block.target }, loaded, block.where);
}

/** Records a block rendered inside another one; `undefined` (rendered without the cache) makes the outer one unstorable. */
function noteChild(parent: RenderingFrame | undefined, slot: FragmentSlot | undefined, child: BlockExtras): void {
  if (parent === undefined) return;
  if (slot === undefined) parent.children = null;
  else parent.children?.push(slot);
  for (const digest of child.templates ?? []) parent.templates.add(digest);
  // A hit on the block around it renders this one no more: what it exported is kept with that block.
  if (child.exports !== undefined) Object.assign(parent.exports, child.exports);
}
