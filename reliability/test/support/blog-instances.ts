import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CacheSweeperError, Sweeper } from '@cachesweeper/core';
import { type Blog, createBlog } from '../../../examples/blog/src/app';
import { readConfig } from '../../../examples/blog/src/config';
import type { SeedSize } from '../../../examples/blog/src/db/seed';
import { SUITE_SECRET, SUITE_VISITOR, visitorForm } from './suite-visitor';

/** A blog app served over HTTP on a loopback port, as one app process would run it. */
export interface BlogInstance {
  readonly name: string;
  readonly blog: Blog;
  readonly url: string;
  /** Cache failures the app reported (pages are served uncached meanwhile). */
  readonly cacheErrors: CacheSweeperError[];
  /** GETs a page as the suite's visitor. */
  get(path: string): Promise<{ status: number; html: string }>;
  /** POSTs a form with the visitor's CSRF token; returns the status and where it redirects. */
  post(path: string, fields: Record<string, string>): Promise<{ status: number; location: string | null }>;
  close(): Promise<void>;
}

/** A throwaway SQLite database file, shared by the instances of one test. */
export interface BlogDatabase {
  readonly path: string;
  remove(): void;
}

/** Creates a directory for a database file that `createBlog` seeds on first open. */
export function blogDatabase(): BlogDatabase {
  const dir = mkdtempSync(join(process.env.RELIABILITY_DB_DIR ?? tmpdir(), 'cachesweeper-reliability-'));
  return { path: join(dir, 'blog.sqlite'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Options of `startBlogInstance`. */
export interface BlogInstanceOptions {
  readonly name: string;
  readonly database: BlogDatabase;
  readonly sweeper: Sweeper;
  readonly seed?: SeedSize;
  /** The blog's `WITHIN` switch: comments declared within their article (on) or not (off). Default: the blog's (on). */
  readonly within?: boolean;
}

/**
 * Starts the real blog (`createBlog`: models, rules, views, loaders, routes) on `sweeper`
 * and an HTTP port. Views are compiled once, as in production (`view cache`). The first
 * instance on a database seeds it and switches it to WAL, so renders never wait on writers.
 */
export async function startBlogInstance(options: BlogInstanceOptions): Promise<BlogInstance> {
  const config = readConfig({
    DATABASE_PATH: options.database.path,
    SESSION_SECRET: SUITE_SECRET,
    ...(options.within === undefined ? {} : { WITHIN: options.within ? 'on' : 'off' }),
  });
  const cacheErrors: CacheSweeperError[] = [];
  const blog = await createBlog({
    config,
    sweeper: options.sweeper,
    ...(options.seed ? { seed: options.seed } : {}),
    onCacheError: (error) => cacheErrors.push(error),
  });
  await blog.sequelize.query('PRAGMA journal_mode=WAL');
  blog.app.enable('view cache');
  const server = blog.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const headers = { cookie: SUITE_VISITOR.cookie };
  return {
    name: options.name,
    blog,
    url,
    cacheErrors,
    async get(path) {
      const response = await fetch(url + path, { headers, redirect: 'manual' });
      return { status: response.status, html: await response.text() };
    },
    async post(path, fields) {
      const response = await fetch(url + path, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: visitorForm(fields),
        redirect: 'manual',
      });
      await response.arrayBuffer();
      return { status: response.status, location: response.headers.get('location') };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await blog.close();
    },
  };
}

/** The part of a page that the cache may produce: everything inside `<main>` (the panel of cache figures is outside). */
export function mainOf(html: string): string {
  const start = html.indexOf('<main>');
  const end = html.indexOf('</main>');
  return start === -1 || end === -1 ? html : html.slice(start, end);
}
