import type { Target } from '@cachesweeper/core';
import type { BlockFunction, Loaded } from '../types';
import { modeOf, RenderState } from './render-state';
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
  /** The block's position, for messages. */
  readonly where: string;
}

/**
 * Renders a block's body. With a loader, the loaded value becomes the block's
 * context (as `#with` would) or, when the block declares a block param
 * (`as |page|`), that param, leaving `this` alone. Without a loader the context is
 * unchanged and the block param is the target.
 */
export function renderBody(block: BlockBody, loaded: Loaded | undefined): string {
  const declared = block.fn.blockParams ?? 0;
  const context = loaded !== undefined && declared === 0 ? loaded.value : block.context;
  const mode = modeOf(block.data);
  if (!(mode instanceof RenderState && mode.options.prototypeAccess)) {
    if (loaded !== undefined) checkTemplateData(loaded.value, block.where, 'what its loader returned');
    if (context !== loaded?.value) checkTemplateData(context, block.where, 'its context (this)');
  }
  if (declared === 0) return block.fn(context, { data: block.data });
  return block.fn(context, { data: block.data, blockParams: [loaded === undefined ? block.target : loaded.value] });
}
