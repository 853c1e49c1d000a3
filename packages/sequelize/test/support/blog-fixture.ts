import type { Sweeper } from '@cachesweeper/core';
import { expect } from 'vitest';
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

/** Opens a database, defines and seeds the blog, installs the sweeper with the blog's rules (and creates the outbox table it asks for). */
export async function openBlog(dialect: Dialect, tag: string, options: InstallOptions = {}): Promise<BlogFixture> {
  const db = await openDatabase(dialect, tag);
  const models = defineBlog(db.sequelize);
  await db.sequelize.sync();
  const installation = installSweeper(db.sequelize, BLOG_RULES, options);
  await installation.outbox?.createTable();
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
      await installation.outbox?.idle();
      await sweeper.close();
      await db.close();
    },
  };
}

/** Renders both article pages and all four comment fragments once, so each is cached with one render. */
export async function warmBlog(blog: BlogFixture): Promise<void> {
  for (const id of [1, 2]) await blog.pages.article(id);
  for (const id of [1, 2, 3, 4]) await blog.pages.comment(id);
}

/** Assertions on a fixture that a beforeEach replaces: `blog` returns the current one. */
export function blogExpectations(blog: () => BlogFixture) {
  return {
    /** The cached article page equals an uncached rendering. */
    async expectArticleFresh(id: number): Promise<void> {
      expect(await blog().pages.article(id)).toBe(await blog().pages.uncachedArticle(id));
    },
    /** The cached comment fragment equals an uncached rendering. */
    async expectCommentFresh(id: number): Promise<void> {
      expect(await blog().pages.comment(id)).toBe(await blog().pages.uncachedComment(id));
    },
    /** The fragment is served without rendering it again since `warmBlog`. */
    async expectStillCached(kind: 'article' | 'comment', id: number): Promise<void> {
      await blog().pages[kind](id);
      expect(blog().pages.count(`${kind === 'article' ? 'Article' : 'Comment'}#${id}`)).toBe(1);
    },
  };
}
