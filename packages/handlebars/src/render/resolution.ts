import type { CacheBlock } from '../types';
import type { RenderState } from './render-state';

/** What the parts of the resolver share: the render, and how to resolve one more level of blocks. */
export interface Resolution {
  /** The render being resolved. */
  readonly state: RenderState;
  /** Looks a level of blocks up, and renders (or waits for) those that missed, with their own levels below. */
  level(blocks: readonly CacheBlock[]): Promise<void>;
}
