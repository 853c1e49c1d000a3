import { withFrame } from '../frames';
import type { Read, Registration } from '../types';
import { CannotKnow, FingerprintRun, Ref } from './fingerprint-run';
import { useWhole } from './value-encoding';

/**
 * Every property of these values, whole, as they are now: what a helper called again
 * later (see `render/helper-watch.ts`) must find as it was. As large as a fingerprint
 * may be; beyond, what was noted so far.
 */
export function inputsLog(registration: Registration, values: readonly unknown[]): readonly Read[] {
  const run = new FingerprintRun(registration, {}, undefined, {}, undefined);
  try {
    for (const value of values) useWhole(run, new Ref(value, false));
  } catch (error) {
    if (!(error instanceof CannotKnow)) throw error;
  }
  return run.log;
}

/**
 * The own properties of a block's target as they are when the block is called: its
 * loader runs later, and a helper that reuses one object for every row of a loop has
 * changed it by then.
 */
export function targetLog(target: unknown): readonly Read[] {
  if (target === null || typeof target !== 'object') return [];
  return Object.keys(target).map((key) => ({
    object: target,
    key,
    value: (target as Record<string, unknown>)[key],
    present: true,
  }));
}

/**
 * What a program of a helper's block reads, run again as its fingerprint on the same
 * context and options (its body holds its fingerprint, see `compile/annotate-template.ts`):
 * a helper that rewrote its block is called again later, and its block must find them
 * as they are now. Whatever stops the fingerprint, what was noted so far.
 */
export function programLog(
  registration: Registration,
  runtimeHelpers: Readonly<Record<string, unknown>> | undefined,
  program: (context: unknown, options?: object) => unknown,
  context: unknown,
  options: object | undefined,
): readonly Read[] {
  const { helpers, partials } = registration.handlebars;
  const run = new FingerprintRun(registration, helpers, runtimeHelpers, partials as Record<string, unknown>, undefined);
  try {
    withFrame(registration, run, () => program(context, options));
  } catch {
    // A partial log: the fingerprint met something it cannot read, or the program failed (its render reports that).
  }
  return run.log;
}
