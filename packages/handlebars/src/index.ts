export { HeldFragmentBytes, type HeldFragmentBytesOptions } from './bytes/held-fragment-bytes';
export { type EncodedFragment, PageBody } from './bytes/page-body';
export { PageBytes } from './bytes/page-bytes';
export {
  type CacheSweeperEngineOptions,
  cachesweeperEngine,
  type ExpressHandlebarsLike,
  PAGE_AS_BYTES,
} from './express-engine';
export { cachesweeperResponses, sendPage } from './express-responses';
export {
  type CacheSweeperOptions,
  type CacheSweeperRegistration,
  registerCacheSweeper,
} from './registration';
export { type CompiledTemplate, type RenderCachedOptions, renderCached } from './render/render-cached';
export { transformBlockOutput } from './render/transform-block-output';
export type { AnyLoader, ExportValue, HandlebarsEnvironment, Loader, PageExports } from './types';
