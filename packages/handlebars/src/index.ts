export { type CacheSweeperEngineOptions, cachesweeperEngine, type ExpressHandlebarsLike } from './express-engine';
export {
  type CacheSweeperOptions,
  type CacheSweeperRegistration,
  registerCacheSweeper,
} from './registration';
export { type CompiledTemplate, type RenderCachedOptions, renderCached } from './render/render-cached';
export { transformBlockOutput } from './render/transform-block-output';
export type { AnyLoader, ExportValue, HandlebarsEnvironment, Loader, PageExports } from './types';
