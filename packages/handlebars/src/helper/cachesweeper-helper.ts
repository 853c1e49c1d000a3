import { CacheSweeperError, type PlannedFragment } from '@cachesweeper/core';
import { digestOf } from '../digest';
import { blockError, COMPONENT, reasonOf } from '../location';
import { INLINE_MODE, modeOf, RenderState } from '../render/render-state';
import type { Registration } from '../types';
import { type BlockArguments, type BlockHelperOptions, readBlockArguments } from './block-arguments';
import { snapshotFrame } from './data-frames';
import { renderSyncCached, renderUncached } from './in-place-render';
import { partialBlockDigest } from './partial-block';
import { renderDigest } from './partials-digest';

/**
 * The `{{#cachesweeper}}` helper of one registration. It returns plain strings, as
 * an uncached block would (a block helper's output is never escaped, and an
 * enclosing helper calling `options.fn` must get a string). Inside `renderCached` (or the
 * engine) it captures the block and returns a placeholder for the resolver; in a
 * plain `template(context)` call it caches in place, which needs a synchronous
 * backend; in the fallback render it renders in place without the cache.
 */
export function createCacheSweeperHelper(registration: Registration) {
  return function cachesweeper(this: unknown, ...args: unknown[]): string {
    const options = args.pop() as BlockHelperOptions;
    const mode = modeOf(options?.data);
    const state = mode instanceof RenderState ? mode : undefined;
    state?.admit(registration);
    const block = readBlockArguments(registration, args, options, (compiled) => {
      const partialBlock = partialBlockDigest(options.data);
      if (!state) return digestOf(compiled, renderDigest(registration, undefined, undefined), partialBlock);
      return state.partialsDigest(`${compiled}|${partialBlock}`, () =>
        digestOf(
          compiled,
          renderDigest(registration, state.options.template, state.options.runtimePartials),
          partialBlock,
        ),
      );
    });
    if (state) return deferBlock(state, registration, block, this, options);
    if (mode === INLINE_MODE) {
      planBlock(registration, block);
      return renderUncached(block, this, options.data);
    }
    if (!registration.sweeper.isSynchronous) {
      throw new CacheSweeperError(
        COMPONENT,
        `${block.where}: the ${registration.sweeper.backend.name} backend is asynchronous, so a plain template(context) call cannot wait for it; render with renderCached(template, context) or the express-handlebars engine`,
      );
    }
    return renderSyncCached(registration, block, this, options.data);
  };
}

function deferBlock(
  state: RenderState,
  registration: Registration,
  block: BlockArguments,
  context: unknown,
  options: BlockHelperOptions,
): string {
  return state.add({
    kind: 'block',
    index: state.items.length,
    planned: planBlock(registration, block),
    fn: block.fn,
    context,
    data: snapshotFrame(options.data),
    target: block.target,
    loader: block.loader,
    where: block.where,
    claimed: false,
  });
}

/** Checks the target, TTL and key parts with core; a bad one is reported with the block's line. */
export function planBlock(registration: Registration, block: BlockArguments): PlannedFragment {
  try {
    return registration.sweeper.plan({
      target: block.target,
      ttlSeconds: block.ttlSeconds,
      parts: block.parts,
      digest: block.digest,
    });
  } catch (error) {
    throw blockError(block.where, reasonOf(error), error);
  }
}
