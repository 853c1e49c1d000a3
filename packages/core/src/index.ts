export {
  type CacheBackend,
  type CacheEntry,
  DEFAULT_MAX_VALUE_BYTES,
  type KeyPlacement,
  MAX_KEY_BYTES,
  MAX_RELATIVE_TTL_SECONDS,
  type SyncCacheBackend,
} from './backend';
export { withDeadline } from './deadline';
export { asSweeperError, CacheSweeperError, describeValue, type ErrorComponent } from './errors';
export type { FragmentLeases, LeaseAnswer, LeaseRead, StampedEntry } from './fragment-leases';
export type { FragmentRequest } from './fragments/fragment-planner';
export { decodeFragment, encodeFragment, nestedTokensHold } from './fragments/stored-fragment';
export type { InvalidateOptions, InvalidationOutcome } from './invalidation/invalidator';
export {
  completeFragmentKey,
  type FragmentKeyInput,
  fragmentKey,
  generationKey,
  isGenerationKey,
  isValidCacheKey,
  joinKey,
  modelCounterKey,
  quoteFragment,
  quoteKeyPart,
  quotePrimaryKey,
  quoteRow,
  validateNamespace,
  versionKey,
} from './keys';
export type { LeaseOptions } from './leases/lease-settings';
export type { LocalCopyOptions } from './lookup/local-copies';
export { type MemoryBackendOptions, memoryBackend } from './memory-backend';
export { isRowId } from './models/row-id';
export { armDeadline, STALL_STRETCH } from './own-stall-deadline';
export type { Claim, RenderClaim, WaitClaim } from './page/claims';
export { FragmentSlot, type SlotStatus } from './page/fragment-slot';
export type { SessionOptions } from './page/page-state';
export { type KeptCandidate, SweeperSession } from './page/sweeper-session';
export { countInto, createStats, type SweeperStats } from './stats';
export { createSweeper, type FragmentOptions, Sweeper } from './sweeper';
export type { SweeperOptions } from './sweeper-options';
export {
  describeTarget,
  type ResolvedTarget,
  resolveTarget,
  TARGET_META,
  type Target,
  type TargetMeta,
  type TargetRef,
  type WholeModelRef,
} from './targets';
export type { PageAttributes, TelemetryOptions } from './telemetry/telemetry-options';
export { freshCounterStart, isCounterValue } from './tokens/counter-values';
export {
  DEFAULT_TOKEN_SPEC,
  type ModelTokens,
  sameTokenSpec,
  type TokenSpec,
  toTokenSpec,
} from './tokens/token-spec';
export type {
  FragmentLease,
  FragmentLookup,
  KeyPart,
  NestedToken,
  PlannedFragment,
  QuotedFragment,
  RenderedFragment,
  StoredFragment,
  TokenPlan,
} from './types';
