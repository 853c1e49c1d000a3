import type { Target } from '@cachesweeper/core';
import { describeValue } from '@cachesweeper/core';
import { blockError } from '../location';
import type { Loaded, Loader } from '../types';

/** Reads a block's `load=` option: a function from the context, or the name of a loader registered with `loaders`. */
export function resolveLoader(
  value: unknown,
  loaders: Readonly<Record<string, Loader>>,
  where: string,
): Loader | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'function') return value as Loader;
  if (typeof value === 'string') {
    const loader = Object.hasOwn(loaders, value) ? loaders[value] : undefined;
    if (typeof loader === 'function') return loader;
    const known = Object.keys(loaders);
    throw blockError(
      where,
      `load=${describeValue(value)} names no loader; registered loaders: ${known.length > 0 ? known.join(', ') : 'none (pass { loaders } to registerCacheSweeper)'}`,
    );
  }
  throw blockError(
    where,
    `load= must be a function (from the context) or the name of a registered loader, got ${describeValue(value)}`,
  );
}

/** Starts a loader now (so all loaders of a level start in one turn) and settles with its value. */
export function startLoad(loader: Loader, target: Target, context: unknown): Promise<Loaded> {
  try {
    return Promise.resolve(loader(target, context)).then((value) => ({ value }));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Runs a loader synchronously, for a plain `template(context)` call; a promise cannot be waited for there. */
export function loadNow(loader: Loader, target: Target, context: unknown, where: string): Loaded {
  const value = loader(target, context);
  if (value !== null && typeof (value as { then?: unknown }).then === 'function') {
    // Nobody will wait for it: keep a rejection from surfacing as unhandled.
    (value as Promise<unknown>).then(undefined, () => {});
    throw blockError(
      where,
      'its loader returned a promise, which a plain template(context) call cannot wait for; render with renderCached() or the express-handlebars engine',
    );
  }
  return { value };
}
