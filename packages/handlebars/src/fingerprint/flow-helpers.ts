import { currentFrame } from '../frames';
import { contextOf } from '../null-context';
import type { Registration } from '../types';
import { type FingerprintRun, OPAQUE, Ref } from './fingerprint-run';
import { type FingerprintHelper, type HelperOptions, runOf, splitArguments } from './helper-options';
import { callUnknownHelper } from './unknown-helpers';
import { asRef, noteItems, useWhole } from './value-encoding';

/**
 * The helpers that mirror Handlebars' own block helpers (`#if`, `#unless`, `#with`,
 * `#each`, sections over a value) while a fingerprint runs: they take the branch or
 * loop the real helper would take on the same values — so the fingerprint reads what
 * the render will read — and add the decision to the digest unless the block's row
 * keys the value. On loaded data (opaque) they read every branch, once. When the
 * instance or the render replaced one of Handlebars' helpers, it is a helper like any other.
 */
export function flowHelpers(registration: Registration): Record<string, FingerprintHelper> {
  const flow = (
    name: string,
    body: (run: FingerprintRun, ref: Ref, options: HelperOptions, context: unknown) => void,
  ) =>
    function (this: unknown, ...args: unknown[]): string {
      const { params, options } = splitArguments(args);
      const run = runOf(registration);
      if (run === undefined) return '';
      const context = contextOf(this);
      if (!run.isBuiltin(name)) callUnknownHelper(run, name, params, options, context);
      else body(run, asRef(params[0]), options, context);
      return '';
    };
  return {
    switch(this: unknown, ...args: unknown[]) {
      const { options } = splitArguments(args);
      const context = contextOf(this);
      const fingerprinting = currentFrame(registration)?.kind === 'fingerprint';
      return fingerprinting ? options.inverse?.(context) : options.fn?.(context);
    },
    if: flow('if', (run, ref, options, context) => condition(run, ref, options, context, false)),
    unless: flow('unless', (run, ref, options, context) => condition(run, ref, options, context, true)),
    with: flow('with', withBlock),
    each: flow('each', eachBlock),
    section(this: unknown, ...args: unknown[]) {
      const { params, options } = splitArguments(args);
      const run = runOf(registration);
      if (run === undefined) return '';
      const context = contextOf(this);
      const [name, ref] = [String(params[0]), asRef(params[1])];
      if (run.isHelper(name) || typeof ref.value === 'function' || !run.isBuiltin('blockHelperMissing')) {
        // A helper, or a function in the data called with the block's options: either may do anything with them.
        useWhole(run, ref);
        callUnknownHelper(run, name, [], options, context);
      } else {
        section(run, ref, options, context);
      }
      return '';
    },
  };
}

function isEmpty(value: unknown): boolean {
  return (!value && value !== 0) || (Array.isArray(value) && value.length === 0);
}

/** `#if` / `#unless`. */
function condition(run: FingerprintRun, ref: Ref, options: HelperOptions, context: unknown, negate: boolean): void {
  const { value, covered } = ref;
  if (value === OPAQUE || typeof value === 'function') {
    // A function is called with the context: it may read any of it.
    if (typeof value === 'function') useWhole(run, new Ref(context, run.isCovered(context)));
    useWhole(run, ref);
    options.fn?.(context);
    options.inverse?.(context);
    return;
  }
  const includeZero = asRef(options.hash.includeZero);
  if (!includeZero.covered) run.record('z', String(Boolean(includeZero.value)));
  if (Array.isArray(value)) run.note(value, 'length', value.length);
  const empty = (!includeZero.value && !value) || isEmpty(value);
  if (!covered) run.record('c', empty ? '0' : '1');
  if (empty !== negate) options.inverse?.(context);
  else options.fn?.(context);
}

/** `#with`. */
function withBlock(run: FingerprintRun, ref: Ref, options: HelperOptions, context: unknown): void {
  const { value, covered } = ref;
  if (value === OPAQUE || typeof value === 'function') {
    if (typeof value === 'function') useWhole(run, ref);
    options.fn?.(OPAQUE, { data: options.data, blockParams: [OPAQUE] });
    options.inverse?.(context);
    return;
  }
  if (Array.isArray(value)) run.note(value, 'length', value.length);
  const empty = isEmpty(value);
  if (!covered) run.record('c', empty ? '0' : '1');
  if (empty) options.inverse?.(context);
  else options.fn?.(value, { data: options.data, blockParams: [value] });
}

/** `#each`: the same iterations, data frames and block params as Handlebars' own. */
function eachBlock(run: FingerprintRun, ref: Ref, options: HelperOptions, context: unknown): void {
  const fn = options.fn as NonNullable<HelperOptions['fn']>;
  const { value, covered } = ref;
  const frame = options.data === undefined ? undefined : run.registration.handlebars.createFrame(options.data);
  const iterate = (field: string | number, index: number, last: boolean, item: unknown) => {
    if (frame !== undefined) Object.assign(frame, { key: field, index, first: index === 0, last });
    if (covered) run.cover(item);
    fn(item, { data: frame, blockParams: [item, field] });
  };
  if (value === OPAQUE || typeof value === 'function') {
    if (typeof value === 'function') useWhole(run, ref);
    iterate(0, 0, true, OPAQUE);
    options.inverse?.(context);
    return;
  }
  let count = 0;
  if (value !== null && typeof value === 'object') {
    if (Array.isArray(value)) {
      noteItems(run, value);
      if (!covered) run.record('e', `a${value.length}:${holesOf(value)}`);
      for (let index = 0; index < value.length; index++) {
        if (index in value) iterate(index, index, index === value.length - 1, value[index]);
      }
      count = value.length;
    } else if (typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function') {
      if (!(value instanceof Map || value instanceof Set)) {
        run.giveUp('it loops over an iterator, which can be read only once');
      }
      const items = [...value];
      if (!covered) run.record('e', `i${items.length}`);
      for (const [index, item] of items.entries()) iterate(index, index, index === items.length - 1, item);
      count = items.length;
    } else {
      const keys = Object.keys(value);
      run.noteKeys(value, keys);
      if (!covered) run.record('e', `o${JSON.stringify(keys)}`);
      keys.forEach((key, index) => {
        const item = (value as Record<string, unknown>)[key];
        run.note(value, key, item);
        iterate(key, index, index === keys.length - 1, item);
      });
      count = keys.length;
    }
  } else if (!covered) {
    run.record('e', 'none');
  }
  if (count === 0) options.inverse?.(context);
}

/** `{{#value}}…{{/value}}` on a value (Handlebars' `blockHelperMissing`). */
function section(run: FingerprintRun, ref: Ref, options: HelperOptions, context: unknown): void {
  const { value, covered } = ref;
  const fn = options.fn as NonNullable<HelperOptions['fn']>;
  if (value === OPAQUE) {
    fn(context);
    fn(OPAQUE, {
      data: options.data === undefined ? undefined : run.registration.handlebars.createFrame(options.data),
    });
    options.inverse?.(context);
    return;
  }
  const kind =
    value === true
      ? 'T'
      : value === false || value === null || value === undefined
        ? 'F'
        : Array.isArray(value)
          ? 'A'
          : 'O';
  if (!covered) run.record('c', kind);
  if (kind === 'T') fn(context);
  else if (kind === 'F') options.inverse?.(context);
  else if (kind === 'O') fn(value, { data: options.data });
  else if (!run.isBuiltin('each')) callUnknownHelper(run, 'each', [ref], options, context);
  else if ((value as unknown[]).length > 0) eachBlock(run, ref, options, context);
  else {
    run.note(value as object, 'length', 0);
    options.inverse?.(context);
  }
}

function holesOf(items: readonly unknown[]): string {
  let holes = '';
  for (let index = 0; index < items.length; index++) if (!(index in items)) holes += `${index},`;
  return holes;
}
