import { contextOf } from '../null-context';
import { registrationOf } from '../render/template-registration';
import type { Registration } from '../types';
import { type FingerprintRun, OPAQUE, Ref, TEMPLATE_FACT } from './fingerprint-run';
import { type FingerprintHelper, runOf, splitArguments } from './helper-options';
import { callUnknownHelper } from './unknown-helpers';
import { asRef, useRendered } from './value-encoding';

/** Reads `parts` below a reference the way compiled Handlebars code does, noting every read. */
export function readPath(
  run: FingerprintRun,
  start: Ref,
  parts: readonly unknown[],
  lookup: (parent: unknown, name: string) => unknown,
): Ref {
  let value = start.value;
  let covered = start.covered;
  for (const part of parts) {
    if (value === OPAQUE) return new Ref(OPAQUE, true);
    if (value === null || value === undefined) return new Ref(value, covered);
    const name = String(part);
    const extended = run.extensionOf(value);
    if (extended !== undefined) {
      const read = extended.hash.get(name) ?? readBase(run, extended.base, name, lookup);
      value = read.value;
      covered = read.covered;
      continue;
    }
    const next = lookup(value, name);
    run.note(value, name, next);
    if (covered && !run.isHashArgument(value, name)) run.cover(next);
    else covered = run.isCovered(next);
    value = next;
  }
  return new Ref(value, covered);
}

/** A read of a partial's context through its extension: Handlebars copied only the context's own properties. */
function readBase(
  run: FingerprintRun,
  base: Ref,
  name: string,
  lookup: (parent: unknown, name: string) => unknown,
): Ref {
  const value = base.value;
  if (value !== null && typeof value === 'object' && value !== OPAQUE && !Object.hasOwn(value, name)) {
    run.note(value, name, undefined);
    return new Ref(undefined, base.covered);
  }
  return readPath(run, base, [name], lookup);
}

/** The helpers that read values, call partials and mark templates. */
export function readHelpers(registration: Registration): Record<string, FingerprintHelper> {
  return {
    ref(...args) {
      const { params, options } = splitArguments(args);
      const run = runOf(registration);
      if (run === undefined) return undefined;
      const [base, ...parts] = params;
      return readPath(run, new Ref(base, run.isCovered(base)), parts, options.lookupProperty);
    },
    value(...args) {
      const run = runOf(registration);
      if (run !== undefined) useRendered(run, args[0], contextOf(this));
      return '';
    },
    mustache(...args) {
      const { params, options } = splitArguments(args);
      const run = runOf(registration);
      if (run === undefined) return '';
      const [name, ref] = params;
      if (run.isHelper(String(name))) callUnknownHelper(run, String(name), [], options, contextOf(this));
      else useRendered(run, ref, contextOf(this));
      return '';
    },
    extend(...args) {
      const { params, options } = splitArguments(args);
      const run = runOf(registration);
      const base = asRef(params[0]);
      const keys = Object.keys(options.hash);
      if (run === undefined || keys.length === 0) return base.value;
      // As Handlebars' `extend({}, context, hash)`.
      const context: Record<string, unknown> = {};
      const source = base.value;
      if (source !== null && source !== undefined && source !== OPAQUE) {
        // Handlebars copies every own property of the context: all of them are read, as they are now.
        for (const key in source as object) {
          if (!Object.hasOwn(source as object, key)) continue;
          context[key] = (source as Record<string, unknown>)[key];
          run.note(source, key, context[key]);
        }
      }
      const hash = new Map<string, Ref>();
      for (const key of keys) {
        const ref = asRef(options.hash[key]);
        hash.set(key, ref);
        context[key] = ref.value;
      }
      run.extend(context, { base, hash });
      return context;
    },
    partial(...args) {
      const { params } = splitArguments(args);
      const run = runOf(registration);
      const value = asRef(params[0]).value;
      if (run === undefined) return value;
      if (value === OPAQUE) run.giveUp('it calls a partial whose name a helper computes');
      if (typeof value === 'function') {
        if (!isOurs(registration, value)) run.giveUp(foreignPartial('a partial function'));
        return value;
      }
      const name = String(value);
      const partial = Object.hasOwn(run.partials, name) ? run.partials[name] : undefined;
      if (typeof partial === 'function' && !isOurs(registration, partial))
        run.giveUp(foreignPartial(`partial "${name}"`));
      return name;
    },
    template(...args) {
      runOf(registration)?.record(TEMPLATE_FACT, String(args[0]));
      return '';
    },
    unknown(...args) {
      runOf(registration)?.giveUp(`it uses ${String(args[0])}, which a fingerprint cannot see into`);
      return '';
    },
  };
}

function foreignPartial(what: string): string {
  return `${what} was not compiled by this Handlebars instance, so what it reads cannot be known (register partials as source, or compile them with the registered instance)`;
}

/** A template this registration compiled, or a program of one (an inline partial, a partial block's content). */
function isOurs(registration: Registration, fn: unknown): boolean {
  return registrationOf(fn) === registration || typeof (fn as { program?: unknown }).program === 'number';
}
