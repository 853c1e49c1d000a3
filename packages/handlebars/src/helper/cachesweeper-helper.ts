import type { PlannedFragment } from '@cachesweeper/core';
import { digestOf } from '../digest';
import { type Fingerprint, fingerprintBlock } from '../fingerprint/block-fingerprint';
import { targetLog } from '../fingerprint/read-logs';
import { blockMode } from '../frames';
import { blockError, reasonOf } from '../location';
import { fragmentIdentity } from '../render/fragment-identity';
import type { RenderState } from '../render/render-state';
import type { Registration } from '../types';
import { type BlockArguments, type BlockHelperOptions, readBlockArguments } from './block-arguments';
import { snapshotFrame } from './data-frames';
import { renderInPlace } from './in-place-render';

/**
 * The `{{#cachesweeper}}` helper of one registration. It returns plain strings, as
 * an uncached block would (a block helper's output is never escaped, and an
 * enclosing helper calling `options.fn` must get a string). It first takes the
 * block's fingerprint — what its body reads from outside it — which becomes part of
 * its key. Inside `renderCached` (or the engine) it then captures the block and
 * returns a placeholder for the resolver; in a plain `template(context)` call it
 * caches in place, which needs a synchronous backend.
 */
export function createCacheSweeperHelper(registration: Registration) {
  return function cachesweeper(this: unknown, ...args: unknown[]): string {
    const options = args.pop() as BlockHelperOptions;
    const block = readBlockArguments(registration, args, options);
    const mode = blockMode(registration);
    if (mode?.kind === 'fingerprint') {
      // Reached through something the fingerprint does not cover (a template compiled elsewhere).
      throw blockError(block.where, 'was reached while a fingerprint was taken');
    }
    const fingerprint = block.inside
      ? undefined
      : fingerprintBlock(
          registration,
          { fn: block.fn, target: block.target, hasLoader: block.loader !== undefined },
          this,
          options.data,
        );
    const planned = planBlock(registration, block, fingerprint);
    if (fingerprint?.unknown !== undefined) {
      registration.fallback(
        blockError(
          block.where,
          `cannot tell what it shows from outside itself: ${fingerprint.unknown}; rendered it without the cache`,
        ),
      );
    }
    if (mode?.kind === 'deferred') return deferBlock(mode as RenderState, block, planned, fingerprint, this, options);
    return renderInPlace(
      registration,
      mode ?? { kind: 'sync', session: undefined },
      block,
      planned,
      fingerprint,
      this,
      options.data,
    );
  };
}

function deferBlock(
  state: RenderState,
  block: BlockArguments,
  planned: PlannedFragment,
  fingerprint: Fingerprint | undefined,
  context: unknown,
  options: BlockHelperOptions,
): string {
  if (state.splice !== undefined) {
    const html = state.splice.get(fragmentIdentity(planned));
    if (html !== undefined) return html;
  }
  return state.add({
    kind: 'block',
    index: state.items.length,
    planned,
    fn: block.fn,
    context,
    data: snapshotFrame(options.data),
    target: block.target,
    loader: block.loader,
    where: block.where,
    log: fingerprint?.log ?? [],
    targetLog: block.loader === undefined ? [] : targetLog(block.target),
    uncacheable: fingerprint?.unknown,
    // No fingerprint: the template's analysis found it reads its loaded data alone.
    readsOutside: fingerprint?.readsOutside ?? false,
    claimed: false,
  });
}

/** Checks the target, TTL and key parts with core; a bad one is reported with the block's line. */
function planBlock(
  registration: Registration,
  block: BlockArguments,
  fingerprint: Fingerprint | undefined,
): PlannedFragment {
  const digest = fingerprint?.digest === undefined ? block.digest : digestOf(block.digest, fingerprint.digest);
  try {
    return registration.sweeper.plan({
      target: block.target,
      ttlSeconds: block.ttlSeconds,
      parts: block.parts,
      digest,
    });
  } catch (error) {
    throw blockError(block.where, reasonOf(error), error);
  }
}
