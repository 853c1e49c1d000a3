import { CacheSweeperError, describeValue } from '@cachesweeper/core';
import { COMPONENT } from './location';
import type { AnyLoader } from './types';

const HELPER_NAME = /^[A-Za-z_$][\w$-]*$/;

/** The options `registerCacheSweeper` checks (its own type lives beside it). */
interface RegistrationOptions {
  readonly helperName?: unknown;
  readonly loaders?: Readonly<Record<string, AnyLoader>>;
  readonly onFallback?: unknown;
}

/** Checks the arguments of `registerCacheSweeper` up front; throws a CacheSweeperError naming the bad one. */
export function checkRegistrationArguments(handlebars: unknown, sweeper: unknown, options: RegistrationOptions): void {
  const methods = ['registerHelper', 'registerDecorator', 'compile', 'precompile', 'parse'];
  if (
    handlebars === null ||
    typeof handlebars !== 'object' ||
    methods.some((name) => typeof (handlebars as Record<string, unknown>)[name] !== 'function')
  ) {
    throw new CacheSweeperError(
      COMPONENT,
      `registerCacheSweeper: first argument must be a Handlebars instance (Handlebars.create()), got ${describeValue(handlebars)}`,
    );
  }
  const sweeperMethods = ['plan', 'session', 'fragmentSync'];
  if (
    sweeper === null ||
    typeof sweeper !== 'object' ||
    sweeperMethods.some((name) => typeof (sweeper as Record<string, unknown>)[name] !== 'function')
  ) {
    throw new CacheSweeperError(
      COMPONENT,
      `registerCacheSweeper: second argument must be a Sweeper (createSweeper()), got ${describeValue(sweeper)}`,
    );
  }
  if (options === null || typeof options !== 'object') {
    throw new CacheSweeperError(
      COMPONENT,
      `registerCacheSweeper: options must be an object, got ${describeValue(options)}`,
    );
  }
  if (
    options.helperName !== undefined &&
    (typeof options.helperName !== 'string' || !HELPER_NAME.test(options.helperName))
  ) {
    throw new CacheSweeperError(
      COMPONENT,
      `helperName must be a Handlebars identifier such as "cachesweeper", got ${describeValue(options.helperName)}`,
    );
  }
  if (options.loaders !== undefined) {
    if (options.loaders === null || typeof options.loaders !== 'object') {
      throw new CacheSweeperError(
        COMPONENT,
        `loaders must be an object of functions, got ${describeValue(options.loaders)}`,
      );
    }
    for (const [name, loader] of Object.entries(options.loaders)) {
      if (typeof loader !== 'function') {
        throw new CacheSweeperError(COMPONENT, `loader "${name}" must be a function, got ${describeValue(loader)}`);
      }
    }
  }
  if (options.onFallback !== undefined && typeof options.onFallback !== 'function') {
    throw new CacheSweeperError(COMPONENT, `onFallback must be a function, got ${describeValue(options.onFallback)}`);
  }
}
