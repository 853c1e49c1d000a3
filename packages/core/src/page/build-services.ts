import { ConversationRunner } from '../conversations/conversation-runner';
import { FragmentDecoder } from '../fragments/fragment-decoder';
import { LocalCopies } from '../lookup/local-copies';
import { FragmentHints } from '../lookup/read-ahead-hints';
import { Reporter } from '../reporting/reporter';
import { SharedRenderings } from '../sharing/shared-renderings';
import { SharedUncachedRenders } from '../sharing/shared-uncached-renders';
import type { ResolvedSweeperOptions } from '../sweeper-options';
import { Telemetry } from '../telemetry/telemetry';
import { WriteBatcher } from '../writes/write-batcher';
import type { SessionServices } from './session-services';

/** How long a finished rendering is kept for pages whose lookups read the cache just before its write landed. */
const FINISHED_RENDER_GRACE_MS = 2_000;

/** The parts one sweeper's sessions share, built from its checked options; `closed` tells whether it was closed. */
export function buildServices(resolved: ResolvedSweeperOptions, closed: () => boolean): SessionServices {
  const { backend, namespace } = resolved;
  const telemetry = new Telemetry(resolved.telemetry, backend.name, namespace, backend.sync !== undefined);
  const reporter = new Reporter(resolved.onError, telemetry);
  const runner = new ConversationRunner(backend, resolved.timeoutMs, reporter, telemetry);
  const decoder = new FragmentDecoder();
  const localCopies = resolved.localCopies === undefined ? undefined : new LocalCopies(resolved.localCopies);
  return {
    runner,
    context: {
      namespace,
      versionTtlSeconds: resolved.versionTtlSeconds,
      knownKeys: new WeakMap(),
      report: (error) => reporter.report(error),
      decode: (key, value, stamp) => {
        const stored = decoder.decode(key, value);
        localCopies?.remember(key, stored, stamp);
        return stored;
      },
      ...(localCopies === undefined ? {} : { localCopies }),
      ...(backend.placement === undefined ? {} : { placement: backend.placement }),
    },
    hints: resolved.prefetchHints === 0 ? undefined : new FragmentHints(resolved.prefetchHints),
    renderings: new SharedRenderings(FINISHED_RENDER_GRACE_MS),
    uncachedRenders: new SharedUncachedRenders(),
    writes: new WriteBatcher(
      runner,
      reporter,
      localCopies === undefined
        ? undefined
        : {
            keep: (key, fragment, stamp) => localCopies.remember(key, fragment, stamp),
            // A stamp lets the lease round replace a stale copy without reading it back; without leases
            // a stale copy must be read again from the backend (another process may have stored a
            // newer one), and a stamp would stop that read.
            stamped: resolved.leases !== undefined && backend.leases?.store !== undefined,
          },
    ),
    reporter,
    telemetry,
    caching: resolved.caching,
    leases: resolved.leases,
    closed,
  };
}
