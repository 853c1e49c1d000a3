import { CacheSweeperError, describeValue } from '@cachesweeper/core';
import type { Model, Transaction } from 'sequelize';
import { isInstance } from './sequelize-shapes';

/**
 * What a write may tell the installer, as `options.cachesweeper` of any Sequelize write
 * (Sequelize hands a write's options to its hooks).
 *
 * @example
 * const comment = await Comment.findByPk(id, { attributes: ['id', 'articleId'] });
 * await Vote.create({ commentId: comment.id }, { cachesweeper: { loaded: [comment] } });
 */
export interface SweeperWriteOptions {
  /**
   * Rows the app already loaded that lie on the written model's rule paths (a vote's
   * comment, that comment's article). A path step whose foreign key one of them matches
   * is read from it instead of the database; steps they do not cover are queried as
   * usual. A row loaded before the write may have moved since (see the README).
   */
  readonly loaded?: readonly Model[];
}

// Every write whose hooks the installer handles accepts `cachesweeper` (association
// setters and adders take these option types too).
declare module 'sequelize' {
  interface CreateOptions<TAttributes> {
    /** Hints for `@cachesweeper/sequelize`'s hooks. */
    cachesweeper?: SweeperWriteOptions;
  }
  interface SaveOptions<TAttributes> {
    /** Hints for `@cachesweeper/sequelize`'s hooks. */
    cachesweeper?: SweeperWriteOptions;
  }
  interface InstanceDestroyOptions {
    /** Hints for `@cachesweeper/sequelize`'s hooks. */
    cachesweeper?: SweeperWriteOptions;
  }
  interface InstanceRestoreOptions {
    /** Hints for `@cachesweeper/sequelize`'s hooks. */
    cachesweeper?: SweeperWriteOptions;
  }
  interface UpsertOptions<TAttributes> {
    /** Hints for `@cachesweeper/sequelize`'s hooks. */
    cachesweeper?: SweeperWriteOptions;
  }
  interface BulkCreateOptions<TAttributes> {
    /** Hints for `@cachesweeper/sequelize`'s hooks. */
    cachesweeper?: SweeperWriteOptions;
  }
  interface UpdateOptions<TAttributes> {
    /** Hints for `@cachesweeper/sequelize`'s hooks. */
    cachesweeper?: SweeperWriteOptions;
  }
  interface DestroyOptions<TAttributes> {
    /** Hints for `@cachesweeper/sequelize`'s hooks. */
    cachesweeper?: SweeperWriteOptions;
  }
  interface RestoreOptions<TAttributes> {
    /** Hints for `@cachesweeper/sequelize`'s hooks. */
    cachesweeper?: SweeperWriteOptions;
  }
}

/** The part of a write's options the installer reads. */
export interface WriteOptions {
  /** The write's transaction. */
  readonly transaction?: Transaction | null;
  /** The app's hints (checked by `checkWriteOptions` before the write). */
  readonly cachesweeper?: SweeperWriteOptions;
}

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
