import type { KeyPlacement } from '../backend';
import type { CacheSweeperError } from '../errors';
import type { LocalCopies } from '../lookup/local-copies';
import type { PlannedFragment, StoredFragment } from '../types';

/** The key each planned fragment last had in this process, and its token: the same string again while the token holds. */
export type KnownKeys = WeakMap<PlannedFragment, { readonly token: string; readonly key: string }>;

/** What the lookup conversations need from the sweeper, besides the page's state. */
export interface ConversationContext {
  /** The namespace of every key. */
  readonly namespace: string;
  /** Lifetime of version keys; 0 = no expiry. */
  readonly versionTtlSeconds: number;
  /** Reports a problem that is not a failed round (a garbled counter). */
  report(error: CacheSweeperError): void;
  /** Decodes a value read under a fragment key (see `encodeFragment`); `stamp`: its lease stamp, if read with one. */
  decode(key: string, value: string, stamp?: string): StoredFragment | undefined;
  /** Copies of the fragments read from a shared backend, when kept (`SweeperOptions.localCopies`). */
  readonly localCopies?: LocalCopies;
  /** The key each planned fragment last had in this process (see `keyOf`). */
  readonly knownKeys?: KnownKeys;
  /** The backend's copies of version keys, when it keeps some (a counter is created in all of them). */
  readonly placement?: KeyPlacement;
}
