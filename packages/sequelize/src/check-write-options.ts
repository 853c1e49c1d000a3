import { CacheSweeperError, describeValue } from '@cachesweeper/core';
import { isInstance } from './sequelize-shapes';
import type { WriteOptions } from './write-options';

const KEYS = new Set(['loaded']);

/** Throws a CacheSweeperError naming the bad value unless `options.cachesweeper` is well formed. */
export function checkWriteOptions(options: unknown): void {
  if (options === null || typeof options !== 'object') return;
  const hints = (options as WriteOptions).cachesweeper;
  if (hints === undefined) return;
  if (hints === null || typeof hints !== 'object' || Array.isArray(hints)) {
    throw new CacheSweeperError(
      'sequelize',
      `options.cachesweeper must be an object such as { loaded: [comment] }, got ${describeValue(hints)}`,
    );
  }
  for (const key of Object.keys(hints)) {
    if (!KEYS.has(key)) {
      throw new CacheSweeperError(
        'sequelize',
        `options.cachesweeper: unknown option ${describeValue(key)}; it takes loaded`,
      );
    }
  }
  checkLoaded(hints.loaded, 'options.cachesweeper.loaded');
}

/** Throws a CacheSweeperError naming `label` unless `loaded` is undefined or an array of model instances. */
export function checkLoaded(loaded: unknown, label: string): void {
  if (loaded === undefined) return;
  if (!Array.isArray(loaded)) {
    throw new CacheSweeperError(
      'sequelize',
      `${label} must be an array of model instances, got ${describeValue(loaded)}`,
    );
  }
  loaded.forEach((row: unknown, index) => {
    if (!isInstance(row)) {
      throw new CacheSweeperError(
        'sequelize',
        `${label}[${index}] must be a model instance, got ${describeValue(row)}`,
      );
    }
  });
}
