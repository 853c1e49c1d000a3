export {
  type CacheBackend,
  type CacheEntry,
  DEFAULT_MAX_VALUE_BYTES,
  MAX_KEY_BYTES,
  MAX_RELATIVE_TTL_SECONDS,
  type SyncCacheBackend,
} from './backend';
export { withDeadline } from './deadline';
export { asSweeperError, CacheSweeperError, describeValue, type ErrorComponent } from './errors';
export type { FragmentLookup, PlannedFragment } from './flows';
export {
  decodeFragment,
  encodeFragment,
  type NestedToken,
  nestedTokensHold,
  type StoredFragment,
} from './fragment-value';
export {
  completeFragmentKey,
  type FragmentKeyInput,
  fragmentKey,
  generationKey,
  isValidCacheKey,
  joinKey,
  type KeyPart,
  type QuotedFragment,
  quoteFragment,
  quoteKeyPart,
  quotePrimaryKey,
  validateNamespace,
  versionKey,
} from './keys';
export { type MemoryBackendOptions, memoryBackend } from './memory-backend';
export { collectNested, type NestedCollector } from './nested-collector';
export { createSession, type SessionOptions, type SweeperSession } from './session';
export { SingleFlight } from './single-flight';
export { countInto, createStats, type SweeperStats } from './stats';
export {
  createSweeper,
  type FragmentOptions,
  type FragmentRequest,
  type InvalidateOptions,
  Sweeper,
  type SweeperOptions,
  sameTokenSpec,
} from './sweeper';
export {
  describeTarget,
  type ResolvedTarget,
  resolveTarget,
  TARGET_META,
  type Target,
  type TargetMeta,
  type TargetRef,
} from './targets';
export {
  DEFAULT_TOKEN_SPEC,
  freshCounterStart,
  isCounterValue,
  type ModelTokens,
  type TokenSpec,
  toTokenSpec,
} from './tokens';
