import type { ConversationContext } from '../conversations/conversation-context';
import type { ConversationRunner } from '../conversations/conversation-runner';
import type { LeaseSettings } from '../leases/lease-settings';
import type { FragmentHints } from '../lookup/read-ahead-hints';
import type { Reporter } from '../reporting/reporter';
import type { SharedRenderings } from '../sharing/shared-renderings';
import type { SharedUncachedRenders } from '../sharing/shared-uncached-renders';
import type { Telemetry } from '../telemetry/telemetry';
import type { WriteBatcher } from '../writes/write-batcher';

/** The sweeper's parts a session works with: one set per sweeper, shared by all its sessions. */
export interface SessionServices {
  /** Runs lookups against the backend under the deadline. */
  readonly runner: ConversationRunner;
  /** What lookups need to know (namespace, version TTL, decoding, reports). */
  readonly context: ConversationContext;
  /** The process's read-ahead memory, when on. */
  readonly hints: FragmentHints | undefined;
  /** Renderings of missed fragments running (or just finished) in this process. */
  readonly renderings: SharedRenderings;
  /** Renders without the cache running in this process. */
  readonly uncachedRenders: SharedUncachedRenders;
  /** Where renderings go to be stored. */
  readonly writes: WriteBatcher;
  /** Figures and error reports. */
  readonly reporter: Reporter;
  /** Spans and metrics. */
  readonly telemetry: Telemetry;
  /** False when the sweeper renders every fragment in place, without the cache (`caching: false`). */
  readonly caching: boolean;
  /** Fleet-wide leases on missed fragments, when the backend offers them and they are on. */
  readonly leases: LeaseSettings | undefined;
  /** True once the sweeper was closed: lookups then render uncached. */
  readonly closed: () => boolean;
}
