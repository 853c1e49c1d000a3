import type { LeaseAnswer, LeaseRead } from '@cachesweeper/core';
import type { ReadCommand } from './call-contract';
import { callWithDeadline } from './call-with-deadline';
import { readBatchCall } from './commands';
import type { MultiGetSettings } from './multi-get';
import { CompareDeleteCommand, GetCommand, LeasingGetCommand } from './read-commands';
import type { ServerSlot } from './server-slot';

const MISSING: LeaseAnswer = { kind: 'missing' };

/** The commands of one server's part of a leased read, and how each read's answer is found in them. */
interface ServerPart {
  readonly commands: ReadCommand[];
  readonly answers: (() => LeaseAnswer)[];
  readonly indexes: number[];
}

/**
 * A leased read (`FragmentLeases.read`) of checked reads, in one round: each server
 * gets its reads as one batch on one connection, servers in parallel — plain reads as
 * `gets` of at most `chunk` keys, `if-missing` as `mg … N<ttl>`, `replace` as
 * `md … C<stamp>` followed by that `mg` (in this order on the connection, so the
 * delete is seen before the lease is asked for). Reads on a server that is down or
 * suspect answer `missing` without asking it: no lease, the page renders. Rejects
 * when a server that was asked fails or misses the deadline.
 */
export async function leasedRead(
  reads: readonly LeaseRead[],
  ttlSeconds: number,
  settings: MultiGetSettings,
): Promise<LeaseAnswer[]> {
  const answers: LeaseAnswer[] = reads.map(() => MISSING);
  const parts = new Map<ServerSlot, ServerPart>();
  const plain = new Map<ServerSlot, Map<string, number[]>>();
  reads.forEach((read, index) => {
    const slot = settings.slotOf(read.key);
    let part = parts.get(slot);
    if (part === undefined) {
      part = { commands: [], answers: [], indexes: [] };
      parts.set(slot, part);
    }
    if (read.lease === undefined) {
      const byKey = plain.get(slot) ?? new Map<string, number[]>();
      plain.set(slot, byKey);
      byKey.set(read.key, [...(byKey.get(read.key) ?? []), index]);
      return;
    }
    if (read.lease === 'replace') part.commands.push(new CompareDeleteCommand(read.key, read.stamp));
    const get = new LeasingGetCommand(read.key, ttlSeconds);
    part.commands.push(get);
    part.answers.push(() => get.answer ?? MISSING);
    part.indexes.push(index);
  });
  for (const [slot, byKey] of plain) addPlainReads(parts.get(slot) as ServerPart, byKey, settings.chunk);
  const calls: Promise<void>[] = [];
  for (const [slot, part] of parts) {
    const lease = slot.lease(false);
    if (lease === undefined) continue;
    const what = `leased read of ${part.indexes.length} key(s)`;
    calls.push(
      callWithDeadline(lease, readBatchCall(part.commands, what, settings)).then(() => {
        part.indexes.forEach((at, index) => {
          answers[at] = (part.answers[index] as () => LeaseAnswer)();
        });
      }),
    );
  }
  await Promise.all(calls);
  return answers;
}

/** Adds `gets` commands of at most `chunk` keys for the plain reads of one server, repeats asked once. */
function addPlainReads(part: ServerPart, byKey: Map<string, number[]>, chunk: number): void {
  const keys = [...byKey.keys()];
  for (let start = 0; start < keys.length; start += chunk) {
    const asked = keys.slice(start, start + chunk);
    const command = new GetCommand(asked, true);
    part.commands.push(command);
    for (const key of asked) {
      for (const index of byKey.get(key) ?? []) {
        part.indexes.push(index);
        part.answers.push(() => {
          const value = command.found.get(key);
          const stamp = command.stamps.get(key);
          return value === undefined || stamp === undefined ? MISSING : { kind: 'value', value, stamp };
        });
      }
    }
  }
}
