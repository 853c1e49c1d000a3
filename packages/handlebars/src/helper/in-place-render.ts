import { blockError, reasonOf } from '../location';
import { renderBody } from '../render/block-body';
import { loadNow } from '../render/loaders';
import type { Registration } from '../types';
import type { BlockArguments } from './block-arguments';

/** Renders a block in place without the cache (the fallback render); a loader must answer synchronously. */
export function renderUncached(block: BlockArguments, context: unknown, data: unknown): string {
  const loaded = block.loader === undefined ? undefined : loadNow(block.loader, block.target, context, block.where);
  return renderBody({ fn: block.fn, context, data, target: block.target, where: block.where }, loaded);
}

/**
 * Caches a block in place with a synchronous backend (a plain `template(context)`
 * call): one lookup per block, nested blocks inside the miss render. The loader, if
 * any, runs only on a miss and must answer synchronously.
 */
export function renderSyncCached(
  registration: Registration,
  block: BlockArguments,
  context: unknown,
  data: unknown,
): string {
  let rendering = false;
  try {
    return registration.sweeper.fragmentSync(
      block.target,
      block.ttlSeconds,
      block.parts,
      () => {
        rendering = true;
        return renderUncached(block, context, data);
      },
      { digest: block.digest },
    );
  } catch (error) {
    // Errors of the block's own body (nested blocks, loaders) already name their place.
    if (rendering) throw error;
    throw blockError(block.where, reasonOf(error), error);
  }
}
