import type { StampedEntry } from '@cachesweeper/core';
import { callWithDeadline } from './call-with-deadline';
import { readBatchCall } from './commands';
import { checkEntries } from './keys-and-values';
import type { MultiGetSettings } from './multi-get';
import { MetaCommand } from './read-commands';
import { MalformedReply } from './read-reply-parser';
import type { ServerSlot } from './server-slot';
import { VALUE_FLAGS } from './value-encoding';

/**
 * `ms <key> <bytes> T<ttl> F<flags> c`: stores the value as `set` does (under our item
 * flags, replacing a lease placeholder) and answers `HD c<cas>`, the stamp of the copy
 * written, or `NS` (not stored). Checked against memcached 1.6.18 (`test/meta-commands.test.ts`).
 */
export class StampedSetCommand extends MetaCommand {
  /** The stamp of the copy written, once answered; `undefined` when it was not stored. */
  stamp: string | undefined;

  /** A meta set of a checked `key`, TTL and value. */
  constructor(key: string, value: string, ttlSeconds: number) {
    super(`ms ${key} ${Buffer.byteLength(value)} T${ttlSeconds} F${VALUE_FLAGS} c\r\n${value}\r\n`, key, 'meta set');
  }

  meta(code: string, flags: readonly string[]): boolean {
    const [flag, ...rest] = flags;
    if (code === 'HD' && rest.length === 0 && flag !== undefined && /^c\d{1,20}$/.test(flag)) {
      this.stamp = flag.slice(1);
      return true;
    }
    if (code === 'NS' && flags.length === 0) return true;
    throw new MalformedReply(`${code} ${flags.join(' ')} answering a meta set of "${this.key}"`);
  }
}

/** What stamped stores need beyond a multi-get's settings. */
export interface StampedStoreSettings extends MultiGetSettings {
  readonly maxValueBytes: number;
  /** Drops the old value of a key whose new value is not stored (memcached does so on `set`). */
  refuse(key: string): Promise<boolean>;
}

/**
 * `FragmentLeases.store` on memcached: each server's entries as one batch of `ms … c`
 * on a read connection, servers in parallel, under the read deadline. A value too
 * large (or with no UTF-8 form) is not sent: its key is deleted, as `set` does, and
 * answers `undefined`. Rejects, as `setMany` does, when a server is down or fails, once
 * every other server's batch was sent and settled: their entries land.
 */
export async function storeStamped(
  entries: readonly StampedEntry[],
  settings: StampedStoreSettings,
): Promise<(string | undefined)[]> {
  // Every entry is checked before any of them reaches a server.
  const checked = checkEntries(entries, settings.maxValueBytes, 'leases.store');
  const commands: (StampedSetCommand | undefined)[] = [];
  const byServer = new Map<ServerSlot, StampedSetCommand[]>();
  const refused: Promise<boolean>[] = [];
  for (const { key, value, ttlSeconds, storable } of checked) {
    if (!storable) {
      commands.push(undefined);
      refused.push(settings.refuse(key));
      continue;
    }
    const command = new StampedSetCommand(key, value, ttlSeconds);
    commands.push(command);
    const slot = settings.slotOf(key);
    const list = byServer.get(slot);
    if (list === undefined) byServer.set(slot, [command]);
    else list.push(command);
  }
  const calls: Promise<unknown>[] = [...refused];
  // A server that is down fails its own entries only: the other servers' entries are still
  // sent, as setMany sends them (a throw here would drop every batch after it).
  for (const [slot, list] of byServer) {
    const what = `stamped store of ${list.length} key(s)`;
    const lease = slot.lease(true);
    calls.push(
      lease === undefined
        ? Promise.reject(slot.unavailable(what))
        : callWithDeadline(lease, readBatchCall(list, what, settings)),
    );
  }
  await settledOrFirstFailure(calls);
  return commands.map((command) => command?.stamp);
}

/** Waits for every call to settle (so no rejection goes unhandled), then rejects with the first failure, if any. */
async function settledOrFirstFailure(calls: readonly Promise<unknown>[]): Promise<void> {
  const outcomes = await Promise.allSettled(calls);
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
}
