import type { Target } from '@cachesweeper/core';
import type { BlockFunction, Loaded } from '../types';
import { checkTemplateData } from './template-data-check';

/** What rendering a block's body needs. */
export interface BlockBody {
  /** The block program. */
  readonly fn: BlockFunction;
  /** `this` where the block sits. */
  readonly context: unknown;
  /** The data frame to render with. */
  readonly data: unknown;
  /** The block's target. */
  readonly target: Target;
}

/**
 * Renders a block's body. With a loader, the loaded value becomes the block's
 * context (as `#with` would) or, when the block declares a block param
 * (`as |page|`), that param, leaving `this` alone. Without a loader the context is
 * unchanged and the block param is the target. With `checkDataAt` (the block's
 * position), data Handlebars cannot read (Sequelize instances, without prototype
 * access) is refused there rather than rendered empty and cached so.
 */
export function renderBody(block: BlockBody, loaded: Loaded | undefined, checkDataAt?: string): string {
  const declared = block.fn.blockParams ?? 0;
  const context = loaded !== undefined && declared === 0 ? loaded.value : block.context;
  if (checkDataAt !== undefined) {
    if (loaded !== undefined) checkTemplateData(loaded.value, checkDataAt, 'what its loader returned');
    if (context !== loaded?.value) checkTemplateData(context, checkDataAt, 'its context (this)');
  }
  if (declared === 0) return block.fn(context, { data: block.data });
  return block.fn(context, { data: block.data, blockParams: [loaded === undefined ? block.target : loaded.value] });
}
