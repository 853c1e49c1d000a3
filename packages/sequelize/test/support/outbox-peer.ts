import { type CacheBackend, type CacheSweeperError, createSweeper, type Sweeper } from '@cachesweeper/core';
import type { Sequelize } from 'sequelize';
import { installSweeper, type OutboxOptions, type SweeperInstallation } from '../../src';
import { BLOG_RULES, type BlogModels, defineBlog } from './blog';
import { connectTo, type DatabaseSpec } from './databases';

/** Another process's view of a test blog: its own Sequelize instance, sweeper and installation, on the same database and cache. */
export interface OutboxPeer {
  readonly sequelize: Sequelize;
  readonly models: BlogModels;
  readonly sweeper: Sweeper;
  readonly installation: SweeperInstallation;
  /** What its installation reported. */
  readonly errors: CacheSweeperError[];
  close(): Promise<void>;
}

/** Opens a peer on `spec` whose sweeper talks to `backend` (shared with the writer); its outbox table must exist. */
export function openPeer(
  spec: DatabaseSpec,
  backend: CacheBackend,
  outbox: OutboxOptions = {},
  namespace?: string,
): OutboxPeer {
  const sequelize = connectTo(spec);
  const models = defineBlog(sequelize);
  const errors: CacheSweeperError[] = [];
  const sweeper = createSweeper({ backend, ...(namespace === undefined ? {} : { namespace }) });
  const installation = installSweeper(sequelize, BLOG_RULES, {
    sweeper,
    outbox,
    onError: (error) => errors.push(error),
  });
  return {
    sequelize,
    models,
    sweeper,
    installation,
    errors,
    async close() {
      installation.uninstall();
      await installation.outbox?.idle();
      await sequelize.close();
    },
  };
}
