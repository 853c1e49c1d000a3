import { CacheSweeperError, type Sweeper } from '@cachesweeper/core';
import { annotateTemplate, INDENT_HELPER, PARTIAL_BLOCK_HELPER } from './compile/annotate-template';
import { CAPTURE_DECORATOR, captureContainer } from './compile/capture-container';
import { createCacheSweeperHelper } from './helper/cachesweeper-helper';
import { partialBlockHelper } from './helper/partial-block';
import { COMPONENT } from './location';
import { checkRegistrationArguments } from './registration-arguments';
import { tagTemplate } from './render/template-registration';
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
  const registration: Registration = {
    handlebars,
    sweeper,
    helperName,
    // Blocks call a loader with their target and context, whatever it was typed for.
    loaders: { ...options.loaders } as Readonly<Record<string, Loader>>,
    templateDigests: new WeakMap(),
    sourceDigests: new Map(),
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
  const compileWithDigests: HandlebarsEnvironment['compile'] = (input: unknown, compileOptions?: CompileOptions) => {
    if (!isTemplateInput(input)) return compile.call(handlebars, input, compileOptions);
    const annotated = annotateTemplate(handlebars, input, compileOptions, helperName);
    const template = compile.call(handlebars, annotated.ast, withOwnHelpers(compileOptions));
    registration.templateDigests.set(template, annotated.digest);
    tagTemplate(template, registration);
    return template;
  };
  // Precompiled templates come back through `template(spec)`: tag them too, so renderCached finds their registration.
  const template = handlebars.template;
  const templateWithRegistration: HandlebarsEnvironment['template'] = (spec) => {
    const compiled = template.call(handlebars, spec);
    tagTemplate(compiled, registration);
    return compiled;
  };
  const precompileWithDigests: HandlebarsEnvironment['precompile'] = (
    input: unknown,
    compileOptions?: CompileOptions,
  ) => {
    if (!isTemplateInput(input)) return precompile.call(handlebars, input, compileOptions);
    return precompile.call(
      handlebars,
      annotateTemplate(handlebars, input, compileOptions, helperName).ast,
      withOwnHelpers(compileOptions),
    );
  };

  handlebars.registerHelper(helperName, createCacheSweeperHelper(registration));
  handlebars.registerHelper(INDENT_HELPER, indentHelper);
  handlebars.registerHelper(PARTIAL_BLOCK_HELPER, partialBlockHelper);
  handlebars.registerDecorator(CAPTURE_DECORATOR, captureContainer as (...args: never[]) => unknown);
  handlebars.compile = compileWithDigests;
  handlebars.precompile = precompileWithDigests;
  handlebars.template = templateWithRegistration;
  Object.defineProperty(handlebars, REGISTERED, { value: registration, configurable: true });

  return {
    helperName,
    sweeper,
    unregister() {
      if (target[REGISTERED] !== registration) return;
      handlebars.unregisterHelper(helperName);
      handlebars.unregisterHelper(INDENT_HELPER);
      handlebars.unregisterHelper(PARTIAL_BLOCK_HELPER);
      handlebars.unregisterDecorator(CAPTURE_DECORATOR);
      if (handlebars.compile === compileWithDigests) handlebars.compile = compile;
      if (handlebars.precompile === precompileWithDigests) handlebars.precompile = precompile;
      if (handlebars.template === templateWithRegistration) handlebars.template = template;
      delete target[REGISTERED];
    },
  };
}

// The compile step adds calls to these helpers: declare them, so `knownHelpersOnly` templates compile.
function withOwnHelpers(options: CompileOptions): CompileOptions {
  return {
    ...options,
    knownHelpers: { ...options?.knownHelpers, [INDENT_HELPER]: true, [PARTIAL_BLOCK_HELPER]: true },
  };
}

function isTemplateInput(input: unknown): input is string | object {
  return (
    typeof input === 'string' ||
    (input !== null && typeof input === 'object' && (input as { type?: unknown }).type === 'Program')
  );
}
