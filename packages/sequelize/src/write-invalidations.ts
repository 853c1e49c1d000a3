import { isRowId } from '@cachesweeper/core';
import type { Model } from 'sequelize';
import { followPaths } from './follow-paths';
import { Invalidations } from './invalidations';
import { primaryKeyOf } from './key-values';
import { type ModelPlan, type Row, withinOf } from './plan-types';
import { keepsCounter } from './token-specs';
import type { WriteOptions } from './write-options';

/** What a write did to the rows of one model. */
export interface Written {
  /** The rows written (primary key and foreign keys): invalidated, and their paths followed. */
  readonly rows: readonly Row[];
  /** The same rows before the write, when their foreign keys may have changed: their paths are followed too. */
  readonly before?: readonly Row[];
  /** The instances written, when the hook has them: the associations they carry spare path queries. */
  readonly instances?: readonly Model[];
  /** Whether the write changed the `using` attribute of every row (else a counter-less model's generation is bumped). */
  readonly tokenChanged: boolean;
  /** Whether some path attribute of the rows could not be known (unloaded, and its read failed): every model the paths reach is invalidated. */
  readonly pathsUnknown?: boolean;
}

/**
 * The invalidations a write owes: the written rows, and the rows their paths reach
 * before and after the write. When following the paths fails (a query error), every
 * model the paths reach is invalidated instead, and the failure reported.
 */
export async function invalidationsOfWrite(
  plan: ModelPlan,
  written: Written,
  options: WriteOptions,
  report: (error: unknown) => void,
): Promise<Invalidations> {
  const invalidations = new Invalidations();
  if (keepsCounter(plan.spec)) {
    // With `within`, the rows as they were count too: a comment moved to another article invalidates both.
    const rows = plan.within.length > 0 ? [...written.rows, ...(written.before ?? [])] : written.rows;
    for (const row of rows) {
      const id = primaryKeyOf(plan.modelClass, row);
      if (id === undefined) continue; // a created row's state before the write
      invalidations.addRow(plan.model, id, withinOf(row, plan.within));
      addContainers(plan, row, invalidations);
    }
  } else if (!written.tokenChanged) {
    invalidations.addModel(plan.model);
  } else {
    invalidations.addWholeModel(plan.model);
  }
  if (written.pathsUnknown === true) for (const model of plan.reach) invalidations.addModel(model);
  try {
    await followPaths(
      plan,
      [...written.rows, ...(written.before ?? [])],
      {
        transaction: options.transaction,
        loaded: options.cachesweeper?.loaded ?? [],
        instances: written.instances ?? [],
      },
      invalidations,
    );
  } catch (error) {
    report(error);
    for (const model of plan.reach) invalidations.addModel(model);
  }
  return invalidations;
}

/**
 * The rows a written row lives within (`within`), by their own counters. A write to the
 * row itself may change what its container shows around the row's blocks (a new, moved
 * or deleted comment changes the article's list), so the container's key must change;
 * a row only reached by a rule's path (a comment a vote names) bumps the container's
 * contents counter alone, and the container's blocks assemble again around it.
 */
function addContainers(plan: ModelPlan, row: Row, invalidations: Invalidations): void {
  for (const [container, attribute] of plan.spec.within) {
    const id = row[attribute];
    if (id === null) continue; // within no row of that model
    if (isRowId(id)) invalidations.addRow(container, id);
    else invalidations.addModel(container);
  }
}

/** Every row of the model and of every model its paths reach: for writes whose rows nobody can name. */
export function wholeModelInvalidations(plan: ModelPlan): Invalidations {
  const invalidations = new Invalidations();
  invalidations.addModel(plan.model);
  for (const model of plan.reach) invalidations.addModel(model);
  // Rows it lives within may show a list of them, which the write may have changed.
  for (const [container] of plan.spec.within) invalidations.addModel(container);
  return invalidations;
}
