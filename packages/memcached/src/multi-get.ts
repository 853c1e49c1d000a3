import type { Timing } from './call-contract';
import { callWithDeadline } from './call-with-deadline';
import { multiGetCall } from './commands';
import type { ServerSlot } from './server-slot';

/** What a multi-get needs: where each key lives, how many keys per command, and the deadlines. */
export interface MultiGetSettings extends Timing {
  /** The slot of the server a key lives on. */
  slotOf(key: string): ServerSlot;
  /** Most keys per `get` command. */
  readonly chunk: number;
}

/**
 * Reads `keys` (already checked) in one round: each server gets its keys in `get`
 * commands of at most `chunk` keys, all sent at once, servers in parallel. Keys of
 * a server that is down or suspect read as misses without asking it. Answers map
 * back to the asked keys by name; repeats are asked once and answered each time.
 * Rejects when a server that was asked fails or misses the deadline.
 */
export async function multiGet(keys: readonly string[], settings: MultiGetSettings): Promise<(string | undefined)[]> {
  if (keys.length === 0) return [];
  const byServer = new Map<ServerSlot, string[]>();
  for (const key of new Set(keys)) {
    const slot = settings.slotOf(key);
    const list = byServer.get(slot);
    if (list === undefined) byServer.set(slot, [key]);
    else list.push(key);
  }
  const calls: Promise<Map<string, string>>[] = [];
  for (const [slot, serverKeys] of byServer) {
    const lease = slot.lease(false);
    if (lease === undefined) continue;
    for (let start = 0; start < serverKeys.length; start += settings.chunk) {
      calls.push(callWithDeadline(lease, multiGetCall(serverKeys.slice(start, start + settings.chunk), settings)));
    }
  }
  const found = new Map<string, string>();
  for (const part of await Promise.all(calls)) {
    for (const [key, value] of part) found.set(key, value);
  }
  return keys.map((key) => found.get(key));
}
