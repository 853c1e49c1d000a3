import type { CacheBackend } from './backend';
import { CacheSweeperError, describeValue } from './errors';
import { isTtl, ttlError } from './fragments/fragment-planner';
import { validateNamespace } from './keys';
import { type LeaseOptions, type LeaseSettings, resolveLeaseSettings } from './leases/lease-settings';
import { type LocalCopyOptions, type LocalCopySettings, resolveLocalCopies } from './lookup/local-copies';
import { memoryBackend } from './memory-backend';
import { checkTelemetryOptions } from './telemetry/telemetry';
import type { TelemetryOptions } from './telemetry/telemetry-options';
import type { ModelTokens } from './tokens/token-spec';

/** Options of `createSweeper`. */
export interface SweeperOptions {
  /** Where fragments and version counters live. Default: `memoryBackend()`. */
  readonly backend?: CacheBackend;
  /** Prefix of every key, 1-64 characters of `[A-Za-z0-9_.-]`. Default: `cs`. */
  readonly namespace?: string;
  /** Token spec per model name; a model not listed keeps a per-row counter. */
  readonly models?: Readonly<Record<string, ModelTokens>>;
  /** Deadline of each backend round, in ms; a round that misses it is a miss. Default: 200. */
  readonly timeoutMs?: number;
  /**
   * Deadline of an invalidation's round, in ms. Bumps run after a commit, off any page's
   * path, so they may wait longer than a lookup: a bump answered late still lands and is
   * reported as landed. Default: 2000.
   */
  readonly invalidationTimeoutMs?: number;
  /** Lifetime of version counters in seconds; 0 = no expiry (evicted only under memory pressure). Default: 0. */
  readonly versionTtlSeconds?: number;
  /**
   * How many fragments this process remembers (the key each last had, the blocks it
   * nested) to read ahead: a warm page then takes one read round, and a page whose
   * outer block missed finds its inner blocks read with it. 0 turns it off. Default: 10,000.
   */
  readonly prefetchHints?: number;
  /**
   * Copies of fragments read from a shared backend (memcached, Redis), kept in this
   * process: a lookup whose tokens show a copy still valid serves it without reading its
   * bytes, so a full hit reads its tokens only, whatever the page's size. `false` turns
   * them off. Default: on for a backend without a synchronous face (not `memoryBackend`),
   * with the defaults of `LocalCopyOptions`.
   */
  readonly localCopies?: false | LocalCopyOptions;
  /** Told about every backend failure and missed deadline (they never reach a page). Default: ignore. */
  readonly onError?: (error: CacheSweeperError) => void;
  /**
   * `false` renders every fragment in place, as if there were no cache: no cache reads
   * nor writes, the same HTML (for tests and development). Invalidations still bump
   * counters, so turning caching back on never serves what changed meanwhile. Default: true.
   */
  readonly caching?: boolean;
  /**
   * OpenTelemetry spans and metrics through `@opentelemetry/api` (an optional peer
   * dependency): by default, to the providers the application registered; with none,
   * nothing is recorded. `false` turns them off; `{ tracerProvider, meterProvider }`
   * sends them to providers of your own.
   */
  readonly telemetry?: false | TelemetryOptions;
  /**
   * Fleet-wide leases on missed fragments, used when the backend offers them (memcached):
   * of the processes that miss a fragment, one renders it and the others wait for it.
   * `false` turns them off (single flight per process). Default: on, with the defaults of `LeaseOptions`.
   */
  readonly leases?: false | LeaseOptions;
}

/** `SweeperOptions` checked, with every default applied. */
export interface ResolvedSweeperOptions {
  readonly backend: CacheBackend;
  readonly namespace: string;
  readonly models: Readonly<Record<string, ModelTokens>>;
  readonly timeoutMs: number;
  readonly invalidationTimeoutMs: number;
  readonly versionTtlSeconds: number;
  readonly prefetchHints: number;
  /** `undefined` when turned off, or when the backend is in-process. */
  readonly localCopies: LocalCopySettings | undefined;
  readonly onError: ((error: CacheSweeperError) => void) | undefined;
  readonly caching: boolean;
  readonly telemetry: false | TelemetryOptions;
  /** `undefined` when turned off, or when the backend offers no leases. */
  readonly leases: LeaseSettings | undefined;
}

const DEFAULT_TIMEOUT_MS = 200;
const DEFAULT_INVALIDATION_TIMEOUT_MS = 2000;
const DEFAULT_PREFETCH_HINTS = 10_000;

/** Checks every option of `createSweeper` up front; throws a CacheSweeperError naming the bad value. */
export function resolveSweeperOptions(options: SweeperOptions): ResolvedSweeperOptions {
  if (options === null || typeof options !== 'object') {
    throw new CacheSweeperError('sweeper', `options must be an object, got ${describeValue(options)}`);
  }
  const namespace = validateNamespace(options.namespace ?? 'cs');
  const timeoutMs = checkDeadline('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS);
  const invalidationTimeoutMs = checkDeadline(
    'invalidationTimeoutMs',
    options.invalidationTimeoutMs,
    DEFAULT_INVALIDATION_TIMEOUT_MS,
  );
  const versionTtlSeconds = options.versionTtlSeconds ?? 0;
  if (!isTtl(versionTtlSeconds)) throw ttlError(versionTtlSeconds, 'versionTtlSeconds');
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new CacheSweeperError('sweeper', `onError must be a function, got ${describeValue(options.onError)}`);
  }
  const prefetchHints = options.prefetchHints ?? DEFAULT_PREFETCH_HINTS;
  if (!Number.isSafeInteger(prefetchHints) || prefetchHints < 0) {
    throw new CacheSweeperError(
      'sweeper',
      `prefetchHints must be a whole number of fragments >= 0, got ${describeValue(options.prefetchHints)}`,
    );
  }
  if (options.caching !== undefined && typeof options.caching !== 'boolean') {
    throw new CacheSweeperError('sweeper', `caching must be true or false, got ${describeValue(options.caching)}`);
  }
  const backend = options.backend ?? memoryBackend();
  checkBackend(backend);
  const leases = resolveLeaseSettings(options.leases);
  return {
    backend,
    namespace,
    models: options.models ?? {},
    timeoutMs,
    invalidationTimeoutMs,
    versionTtlSeconds,
    prefetchHints,
    localCopies: backend.sync === undefined ? resolveLocalCopies(options.localCopies) : undefined,
    onError: options.onError,
    caching: options.caching ?? true,
    telemetry: checkTelemetryOptions(options.telemetry),
    leases: backend.leases === undefined ? undefined : leases,
  };
}

function checkDeadline(name: string, value: unknown, fallback: number): number {
  const ms = value ?? fallback;
  if (typeof ms !== 'number' || !(ms > 0) || !Number.isFinite(ms)) {
    throw new CacheSweeperError('sweeper', `${name} must be a number of ms > 0, got ${describeValue(value)}`);
  }
  return ms;
}

function checkBackend(backend: CacheBackend): void {
  const required = ['get', 'getMany', 'set', 'add', 'incr', 'delete', 'close'] as const;
  const missing = required.filter(
    (name) => typeof (backend as unknown as Record<string, unknown>)?.[name] !== 'function',
  );
  if (backend === null || typeof backend !== 'object' || missing.length > 0) {
    throw new CacheSweeperError(
      'sweeper',
      `backend ${describeValue(backend)} lacks ${missing.join(', ')}; see the CacheBackend contract`,
    );
  }
}
