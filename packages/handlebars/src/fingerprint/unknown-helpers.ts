import { type FingerprintRun, OPAQUE, Ref } from './fingerprint-run';
import type { HelperOptions, ProgramFunction } from './helper-options';
import { useWhole } from './value-encoding';

/**
 * A helper the fingerprint cannot look into (any helper but Handlebars' own). Helpers
 * compute their output from what they are given — their params, their hash, `this` and,
 * for a block helper, its programs run on contexts taken from those — so all of that,
 * whole, goes into the digest (unless the block's row keys it), and each program is
 * read both ways the helper may call it: on the same context and data frame (then `../`
 * and `@../` reach one level further out), and on a new context and frame.
 */
export function callUnknownHelper(
  run: FingerprintRun,
  name: string,
  params: readonly unknown[],
  options: HelperOptions,
  context: unknown,
): void {
  run.record('h', name);
  for (const param of params) useWhole(run, param);
  for (const key of Object.keys(options.hash).sort()) {
    run.record('k', key);
    useWhole(run, options.hash[key]);
  }
  useWhole(run, new Ref(context, run.isCovered(context)));
  const data = options.data;
  const frame = data === undefined ? undefined : run.registration.handlebars.createFrame(data);
  for (const program of [options.fn, options.inverse]) {
    if (typeof program !== 'function') continue;
    const blockParams = opaqueParams(program);
    program(context, { data, blockParams });
    program(OPAQUE, { data: frame, blockParams });
  }
}

/** As many opaque block params as the program declares. */
export function opaqueParams(program: ProgramFunction): unknown[] {
  return Array.from({ length: program.blockParams ?? 0 }, () => OPAQUE);
}
