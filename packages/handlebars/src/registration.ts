import { CacheSweeperError, type Sweeper } from '@cachesweeper/core';
import Handlebars from 'handlebars';
import { annotateTemplate, INDENT_HELPER } from './compile/annotate-template';
import {
  CAPTURE_DECORATOR,
  captureContainer,
  RESTORE_DECORATOR,
  restoreContainerWith,
} from './compile/capture-container';
import { digestOf } from './digest';
import { fingerprintHelpers } from './fingerprint/fingerprint-helpers';
import { FP_HELPER_NAMES } from './fingerprint/fingerprint-names';
import { createCacheSweeperHelper } from './helper/cachesweeper-helper';
import { createExportHelper } from './helper/export-helper';
import { COMPONENT } from './location';
import { checkRegistrationArguments } from './registration-arguments';
import { BlockRecipes } from './render/block-recipes';
import { noteExtension } from './render/partial-extensions';
import { wrapTemplate } from './render/template-call';
import { indentHelper } from './render/transform-block-output';
import type { AnyLoader, HandlebarsEnvironment, Loader, Registration } from './types';

/** Options of `registerCacheSweeper`. */
export interface CacheSweeperOptions {
  /** Name of the block helper. Default: `cachesweeper`. */
  readonly helperName?: string;
  /** Loaders that blocks can name, as in `load="articlePage"`; each may be typed for its blocks (`Loader<T, D, C>`). */
  readonly loaders?: Readonly<Record<string, AnyLoader>>;
  /**
   * Told when an enclosing helper changed or dropped a cached block's output, so
   * that part of the page was rendered again without the cache (correct, but slow).
   * Default: one process warning per registration.
   */
  readonly onFallback?: (error: CacheSweeperError) => void;
}

/** What `registerCacheSweeper` returns. */
export interface CacheSweeperRegistration {
  /** The helper's name. */
  readonly helperName: string;
  /** The sweeper the helper caches with. */
  readonly sweeper: Sweeper;
  /** Removes the helper and restores the instance's `compile`, `precompile` and `template`. */
  unregister(): void;
}

type CompileOptions = Parameters<HandlebarsEnvironment['compile']>[1];

const REGISTERED = Symbol.for('cachesweeper.handlebars.registration');
const USER_OPTIONS = '__cachesweeperUserOptions';

/**
 * Registers the `{{#cachesweeper target ttl …parts}}` block helper on a Handlebars
 * instance (never the global one unless that is what you pass), and makes the
 * instance's `compile`/`precompile` add each block's template digest to its key.
 * Compile templates with this instance after registering.
 *
 * @example
 * const handlebars = Handlebars.create();
 * registerCacheSweeper(handlebars, createSweeper());
 * const page = handlebars.compile('{{#cachesweeper article 3600 "page"}}…{{/cachesweeper}}');
 * const html = await renderCached(page, { article });
 */
export function registerCacheSweeper(
  handlebars: HandlebarsEnvironment,
  sweeper: Sweeper,
  options: CacheSweeperOptions = {},
): CacheSweeperRegistration {
  checkRegistrationArguments(handlebars, sweeper, options);
  const target = handlebars as HandlebarsEnvironment & { [REGISTERED]?: Registration };
  if (target[REGISTERED] !== undefined) {
    throw new CacheSweeperError(
      COMPONENT,
      `this Handlebars instance already has the {{#${target[REGISTERED].helperName}}} helper; unregister it first, or use Handlebars.create() for a second one`,
    );
  }
  const helperName = options.helperName ?? 'cachesweeper';
  let warned = false;
  const exportHelperName = `${helperName}Export`;
  const ownHelpers = new Set([helperName, exportHelperName, INDENT_HELPER, ...FP_HELPER_NAMES]);
  const registration: Registration = {
    handlebars,
    sweeper,
    helperName,
    // Blocks call a loader with their target and context, whatever it was typed for.
    loaders: { ...options.loaders } as Readonly<Record<string, Loader>>,
    templateDigests: new WeakMap(),
    bodyInserting: new WeakSet(),
    knownDigests: new Set(),
    builtins: builtinsOf(handlebars),
    frames: [],
    compiling: 0,
    ownHelpers,
    watched: new WeakMap(),
    extensions: new WeakMap(),
    recipes: new BlockRecipes(),
    fallback: (error) => {
      if (options.onFallback === undefined) {
        if (warned) return;
        warned = true;
        process.emitWarning(error.message, { code: 'CACHESWEEPER_FALLBACK' });
        return;
      }
      try {
        options.onFallback(error);
      } catch {
        // A throwing report must not break a page that rendered correctly.
      }
    },
  };

  const compile = handlebars.compile;
  const precompile = handlebars.precompile;
  const compileWithDigests: HandlebarsEnvironment['compile'] = (input: unknown, given?: CompileOptions) => {
    const compileOptions = userOptionsOf(given);
    if (!isTemplateInput(input)) return compile.call(handlebars, input, compileOptions);
    const annotated = annotateTemplate(handlebars, input, compileOptions, helperName);
    const compiled = compile.call(handlebars, annotated.ast, withOwnHelpers(compileOptions, ownHelpers));
    const wrapped = wrapTemplate(registration, compiled, annotated.digest);
    if (annotated.insertsBodyOnce) registration.bodyInserting.add(wrapped);
    return wrapped;
  };
  // Precompiled templates come back through `template(spec)`: wrap them too, so renders find their registration.
  const template = handlebars.template;
  const templateWithRegistration: HandlebarsEnvironment['template'] = (spec) => {
    const compiled = template.call(handlebars, spec);
    return registration.compiling > 0 ? compiled : wrapTemplate(registration, compiled, specDigest(spec));
  };
  const precompileWithDigests: HandlebarsEnvironment['precompile'] = (input: unknown, given?: CompileOptions) => {
    const compileOptions = userOptionsOf(given);
    if (!isTemplateInput(input)) return precompile.call(handlebars, input, compileOptions);
    return precompile.call(
      handlebars,
      annotateTemplate(handlebars, input, compileOptions, helperName).ast,
      withOwnHelpers(compileOptions, ownHelpers),
    );
  };

  handlebars.registerHelper(helperName, createCacheSweeperHelper(registration));
  handlebars.registerHelper(exportHelperName, createExportHelper(registration, exportHelperName));
  handlebars.registerHelper(INDENT_HELPER, indentHelper(registration));
  for (const [name, helper] of Object.entries(fingerprintHelpers(registration)))
    handlebars.registerHelper(name, helper);
  handlebars.registerDecorator(CAPTURE_DECORATOR, captureContainer as (...args: never[]) => unknown);
  const restoreContainer = restoreContainerWith((context, partialOptions) =>
    noteExtension(registration, context, partialOptions),
  );
  handlebars.registerDecorator(RESTORE_DECORATOR, restoreContainer as (...args: never[]) => unknown);
  handlebars.compile = compileWithDigests;
  handlebars.precompile = precompileWithDigests;
  handlebars.template = templateWithRegistration;
  Object.defineProperty(handlebars, REGISTERED, { value: registration, configurable: true });

  return {
    helperName,
    sweeper,
    unregister() {
      if (target[REGISTERED] !== registration) return;
      for (const name of ownHelpers) handlebars.unregisterHelper(name);
      handlebars.unregisterDecorator(CAPTURE_DECORATOR);
      handlebars.unregisterDecorator(RESTORE_DECORATOR);
      if (handlebars.compile === compileWithDigests) handlebars.compile = compile;
      if (handlebars.precompile === precompileWithDigests) handlebars.precompile = precompile;
      if (handlebars.template === templateWithRegistration) handlebars.template = template;
      delete target[REGISTERED];
    },
  };
}

/**
 * Options for compiling an annotated AST. The compile step adds calls to this package's
 * helpers: they are declared, so `knownHelpersOnly` templates compile. Handlebars runs
 * its whitespace rules again on an AST it is given: they ran on the source already, and
 * must not run on the blocks the compile step added (`ignoreStandalone`; `~` marks are
 * applied again harmlessly).
 */
function withOwnHelpers(options: CompileOptions, own: ReadonlySet<string>): CompileOptions {
  const knownHelpers: Record<string, boolean> = { ...options?.knownHelpers };
  for (const name of own) knownHelpers[name] = true;
  // Handlebars compiles partials given as source with the options of the template calling them: keep the user's.
  return { ...options, knownHelpers, ignoreStandalone: true, [USER_OPTIONS]: options ?? {} } as CompileOptions;
}

/** The options the user compiled with, when Handlebars hands back those this package compiled with. */
function userOptionsOf(options: CompileOptions): CompileOptions {
  const user = (options as Record<string, unknown> | undefined)?.[USER_OPTIONS];
  return user === undefined ? options : (user as CompileOptions);
}

const BUILTIN_HELPERS = ['each', 'if', 'unless', 'with', 'lookup', 'log', 'blockHelperMissing', 'helperMissing'];

/** Handlebars' own helpers as this instance has them, unless they were replaced before registering. */
function builtinsOf(handlebars: HandlebarsEnvironment): Record<string, unknown> {
  const pristine = Handlebars.create().helpers as Record<string, unknown>;
  const helpers = handlebars.helpers as Record<string, unknown>;
  const builtins: Record<string, unknown> = {};
  for (const name of BUILTIN_HELPERS) {
    const helper = helpers[name];
    if (typeof helper === 'function' && String(helper) === String(pristine[name])) builtins[name] = helper;
  }
  return builtins;
}

/** A digest of a precompiled template's code: the same in every process of one build. */
function specDigest(spec: unknown): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(spec as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) {
    parts.push(key, typeof value === 'function' ? String(value) : (JSON.stringify(value) ?? ''));
  }
  return digestOf('precompiled', ...parts);
}

function isTemplateInput(input: unknown): input is string | object {
  return (
    typeof input === 'string' ||
    (input !== null && typeof input === 'object' && (input as { type?: unknown }).type === 'Program')
  );
}
