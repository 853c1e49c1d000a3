import type { Sweeper } from '@cachesweeper/core';
import type { OwedKeys } from './outbox/owed-keys';
import type { OutboxLog } from './outbox/sweeper-outbox';

/**
 * Bumps the keys writes owe in one round and, once they landed, acknowledges the outbox
 * rows that recorded them. Never rejects: the sweeper reports backend failures itself
 * (the round waits at most its `invalidationTimeoutMs`), a bump that did not land leaves
 * its rows to the outbox's replayers, and anything else goes to `report`.
 */
export async function applyOwed(
  sweeper: Sweeper,
  owed: OwedKeys,
  recorded: readonly string[],
  log: OutboxLog | undefined,
  report: (error: unknown) => void,
): Promise<void> {
  try {
    if (owed.size === 0) return;
    const { landed } = await sweeper.bumpKeys([...owed.keys()]);
    if (landed && recorded.length > 0) log?.acknowledge(recorded);
  } catch (error) {
    report(error);
  }
}
