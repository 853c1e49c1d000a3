import { contextOf } from '../null-context';
import type { Registration } from '../types';
import { type FingerprintRun, OPAQUE, Ref } from './fingerprint-run';
import { type FingerprintHelper, type HelperOptions, runOf, splitArguments } from './helper-options';
import { readPath } from './read-helpers';
import { targetLog } from './read-logs';
import { callUnknownHelper } from './unknown-helpers';
import { asRef, renderedForm, useRendered, useWhole } from './value-encoding';

/** The helpers for helper calls (mustache, block, sub-expression) and for cached blocks nested in the fingerprinted one. */
export function callHelpers(registration: Registration): Record<string, FingerprintHelper> {
  /** A helper call; a sub-expression's result is a Ref (opaque: made from values already in the digest). */
  const call = (run: FingerprintRun, params: readonly unknown[], options: HelperOptions, context: unknown): Ref => {
    const [name, callee, ...rest] = params as [string, unknown, ...unknown[]];
    if (name === 'lookup' && run.isBuiltin('lookup') && options.fn === undefined) return lookup(run, rest, options);
    if (name === 'log' && run.isBuiltin('log')) return new Ref(undefined, true);
    // Not a helper: a function in the data, called as one.
    if (!run.isHelper(name)) useWhole(run, callee);
    callUnknownHelper(run, name, rest, options, context);
    return new Ref(OPAQUE, true);
  };
  return {
    helper(this: unknown, ...args: unknown[]) {
      const { params, options } = splitArguments(args);
      const run = runOf(registration);
      if (run === undefined) return '';
      const context = contextOf(this);
      const result = call(run, params, options, context);
      if (result.value !== OPAQUE) useRendered(run, result, context);
      return '';
    },
    call(this: unknown, ...args: unknown[]) {
      const { params, options } = splitArguments(args);
      const run = runOf(registration);
      if (run === undefined) return undefined;
      return call(run, params, options, contextOf(this));
    },
    block(this: unknown, ...args: unknown[]) {
      const { params, options } = splitArguments(args);
      const run = runOf(registration);
      if (run === undefined || options.fn === undefined) return '';
      const context = contextOf(this);
      const [targetArgument, ...parts] = params;
      const target = asRef(targetArgument);
      // Which rows a block nests is the block's business; their tokens are checked with the stored copy.
      if (!target.covered) run.record('i', identityOf(registration, target.value));
      // The nested block is keyed by its target's properties as they are when it is called.
      for (const read of targetLog(target.value)) run.note(read.object, read.key, read.value);
      for (const part of parts) useWhole(run, part);
      if (options.hash.digest !== undefined) useWhole(run, options.hash.digest);
      run.cover(target.value);
      const declared = options.fn.blockParams ?? 0;
      if (options.hash.load === true) {
        // Loaded data is keyed by the nested block's own token.
        if (declared === 0) options.fn(OPAQUE, { data: options.data });
        else options.fn(context, { data: options.data, blockParams: [OPAQUE] });
      } else {
        options.fn(context, { data: options.data, blockParams: declared === 0 ? undefined : [target.value] });
      }
      return '';
    },
  };
}

/** Handlebars' `lookup`: `obj[field]`, read as any path is. */
function lookup(run: FingerprintRun, [object, field]: readonly unknown[], options: HelperOptions): Ref {
  const base = asRef(object);
  const key = asRef(field);
  if (base.value === OPAQUE) return base;
  if (!key.covered) run.record('l', key.value === OPAQUE ? 'opaque' : renderedForm(run, key.value));
  if (!base.value) return base;
  if (key.value === OPAQUE) {
    // Which field loaded data picks is unknown: any of them.
    useWhole(run, base);
    return new Ref(OPAQUE, true);
  }
  return readPath(run, base, [key.value], options.lookupProperty);
}

/** A nested block's row, as its key names it: model, primary key and attribute token. */
function identityOf(registration: Registration, target: unknown): string {
  if (target === OPAQUE) return 'opaque';
  try {
    const planned = registration.sweeper.plan({ target: target as object, ttlSeconds: 0 });
    return `${planned.quoted.head}|${planned.plan.attributePart ?? ''}`;
  } catch {
    return 'not a target'; // the block itself refuses it, with its line, when it renders
  }
}
