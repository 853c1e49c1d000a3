import type { Model, Transaction } from 'sequelize';

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

// Every write the installer handles accepts `cachesweeper` (association setters and
// adders take these option types too).
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
  interface IncrementDecrementOptions<TAttributes> {
    /** Hints for `@cachesweeper/sequelize`'s increment wrapper. */
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
