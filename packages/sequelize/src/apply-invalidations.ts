import type { Sweeper } from '@cachesweeper/core';
import type { Invalidations } from './invalidations';
import { keepsCounter } from './token-specs';

/**
 * Applies invalidations in one round of counter bumps and one round of generation
 * bumps, in parallel. Never rejects: the sweeper reports backend failures itself (each
 * round waits at most its `timeoutMs`), and anything else goes to `report`. Each row
 * also bumps its model counter (core does, for fragments about the whole model,
 * `{ model }`); a row whose model keeps no counter is skipped (its own write changed
 * its `using` attribute), and its model counter bumped alone.
 */
export async function applyInvalidations(
  sweeper: Sweeper,
  invalidations: Invalidations,
  report: (error: unknown) => void,
): Promise<void> {
  if (invalidations.empty) return;
  const rows: object[] = invalidations.rows.filter((ref) => keepsCounter(sweeper.tokenSpec(ref.model)));
  for (const model of invalidations.wholeModels) rows.push({ model });
  const { models } = invalidations;
  const tasks: (() => Promise<unknown>)[] = [];
  if (models.length > 0) tasks.push(() => sweeper.invalidateModel(models));
  if (rows.length > 0) tasks.push(() => sweeper.invalidateMany(rows));
  await Promise.all(
    tasks.map(async (task) => {
      try {
        await task();
      } catch (error) {
        report(error);
      }
    }),
  );
}
