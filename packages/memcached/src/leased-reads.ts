import type { LeaseAnswer, LeaseRead } from '@cachesweeper/core';
import type { ReadCommand } from './call-contract';
import { callWithDeadline } from './call-with-deadline';
import { readBatchCall } from './commands';
import type { MultiGetSettings } from './multi-get';
import { CompareDeleteCommand, GetCommand, LeasingGetCommand } from './read-commands';
import type { ServerSlot } from './server-slot';

const MISSING: LeaseAnswer = { kind: 'missing' };

/** One server's part of a leased read: its plain keys (with where each was asked) and its lease commands. */
interface ServerPart {
  readonly plain: Map<string, number[]>;
  readonly commands: ReadCommand[];
  readonly leased: { readonly index: number; readonly get: LeasingGetCommand }[];
}

/**
 * A leased read (`FragmentLeases.read`) of checked reads, in one round, servers in
 * parallel. Plain reads are `gets` of at most `chunk` keys, the chunks sent at once
 * (as multi-gets are); a server's lease reads are one batch on one connection —
 * `if-missing` as `mg … N<ttl>`, `replace` as `md … C<stamp>` followed by that `mg`,
 * so the delete is seen before the lease is asked for; plain keys that fit one `gets`
 * go first in that batch (one write, one answer). Reads on a server that is down
 * or suspect answer `missing` without asking it: no lease, the page renders. Rejects
 * when a server that was asked fails or misses the deadline.
 */
export async function leasedRead(
  reads: readonly LeaseRead[],
  ttlSeconds: number,
  settings: MultiGetSettings,
): Promise<LeaseAnswer[]> {
  const answers: LeaseAnswer[] = reads.map(() => MISSING);
  const parts = new Map<ServerSlot, ServerPart>();
  reads.forEach((read, index) => {
    const slot = settings.slotOf(read.key);
    let part = parts.get(slot);
    if (part === undefined) {
      part = { plain: new Map(), commands: [], leased: [] };
      parts.set(slot, part);
    }
    if (read.lease === undefined) {
      const asked = part.plain.get(read.key);
      if (asked === undefined) part.plain.set(read.key, [index]);
      else asked.push(index);
      return;
    }
    if (read.lease === 'replace') part.commands.push(new CompareDeleteCommand(read.key, read.stamp));
    const get = new LeasingGetCommand(read.key, ttlSeconds);
    part.commands.push(get);
    part.leased.push({ index, get });
  });
  const calls: Promise<void>[] = [];
  for (const [slot, part] of parts) {
    const lease = slot.lease(false);
    if (lease === undefined) continue;
    const keys = [...part.plain.keys()];
    const gets: GetCommand[] = [];
    for (let start = 0; start < keys.length; start += settings.chunk) {
      gets.push(new GetCommand(keys.slice(start, start + settings.chunk), true));
    }
    // Plain keys that fit one command ride in the lease batch: one write and one answer (a vote's
    // lease round: the page's lease and its voted comment's new key).
    const riding = part.leased.length > 0 && gets.length === 1 ? gets.splice(0) : [];
    for (const get of gets) {
      const call = readBatchCall([get], `get of ${get.size} key(s) with their cas`, settings);
      calls.push(callWithDeadline(lease, call).then(() => answerPlain(get, part.plain, answers)));
    }
    if (part.leased.length > 0) {
      const call = readBatchCall(
        [...riding, ...part.commands],
        `leased read of ${part.leased.length} key(s)`,
        settings,
      );
      calls.push(
        callWithDeadline(lease, call).then(() => {
          for (const get of riding) answerPlain(get, part.plain, answers);
          for (const { index, get } of part.leased) answers[index] = get.answer ?? MISSING;
        }),
      );
    }
  }
  await Promise.all(calls);
  return answers;
}

/** Records what a `gets` found, at every index its keys were asked. */
function answerPlain(get: GetCommand, asked: Map<string, number[]>, answers: LeaseAnswer[]): void {
  for (const [key, value] of get.found) {
    const stamp = get.stamps.get(key) as string;
    const answer: LeaseAnswer = { kind: 'value', value, stamp };
    for (const index of asked.get(key) ?? []) answers[index] = answer;
  }
}
