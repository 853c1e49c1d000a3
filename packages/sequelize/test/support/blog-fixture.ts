import type { Sweeper } from '@cachesweeper/core';
import { type InstallOptions, installSweeper, type SweeperInstallation } from '../../src';
import { BLOG_RULES, type BlogModels, BlogPages, defineBlog, seedBlog } from './blog';
import { type Dialect, openDatabase, type TestDatabase } from './databases';

/** A seeded blog database with the sweeper installed, and its cached pages. */
export interface BlogFixture {
  readonly db: TestDatabase;
  readonly models: BlogModels;
  readonly installation: SweeperInstallation;
  readonly sweeper: Sweeper;
  readonly pages: BlogPages;
  /** Uninstalls, closes the sweeper and drops the database. */
  close(): Promise<void>;
}

/** Opens a database, defines and seeds the blog, installs the sweeper with the blog's rules. */
export async function openBlog(dialect: Dialect, tag: string, options: InstallOptions = {}): Promise<BlogFixture> {
  const db = await openDatabase(dialect, tag);
  const models = defineBlog(db.sequelize);
  await db.sequelize.sync();
  const installation = installSweeper(db.sequelize, BLOG_RULES, options);
  await seedBlog(models);
  const sweeper = installation.sweeper;
  return {
    db,
    models,
    installation,
    sweeper,
    pages: new BlogPages(models, sweeper),
    async close() {
      installation.uninstall();
      await sweeper.close();
      await db.close();
    },
  };
}
