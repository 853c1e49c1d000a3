export { type CacheSweeperEngineOptions, cachesweeperEngine, type ExpressHandlebarsLike } from './engine';
export type { Loader } from './loaders';
export {
  type CacheSweeperOptions,
  type CacheSweeperRegistration,
  type HandlebarsEnvironment,
  registerCacheSweeper,
} from './registration';
export { type CompiledTemplate, type RenderCachedOptions, renderCached } from './render';
export { transformBlockOutput } from './transform';
