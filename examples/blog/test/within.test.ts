import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../src/config';
import { HttpVisitor, likesOf, panelFigures } from './support/browser-less-visitor';
import { type BlogBackend, type RunningBlog, startBlog } from './support/running-blog';

describe('WITHIN', () => {
  it('is on unless set off, and refuses a value that is neither on nor off', () => {
    expect(readConfig({}).within).toBe(true);
    expect(readConfig({ WITHIN: 'on' }).within).toBe(true);
    expect(readConfig({ WITHIN: 'off' }).within).toBe(false);
    expect(() => readConfig({ WITHIN: 'maybe' })).toThrow(
      '[cachesweeper] [blog] WITHIN must be 1/true/on or 0/false/off, got "maybe"',
    );
  });
});

describe.each<BlogBackend>(['memory', 'memcached'])('the blog with WITHIN=on on the %s backend', (backend) => {
  let running: RunningBlog;
  const keysRead: number[] = [];
  beforeAll(async () => {
    running = await startBlog(backend, undefined, { WITHIN: 'on' });
    // Counts the keys of each read: plain multi-gets, and (memcached) the fragments read with their stamps.
    const { backend: cache } = running.blog.sweeper;
    const getMany = cache.getMany.bind(cache);
    cache.getMany = (keys) => {
      keysRead.push(keys.length);
      return getMany(keys);
    };
    const leases = cache.leases;
    if (leases !== undefined) {
      const read = leases.read.bind(leases);
      leases.read = (reads, ttlSeconds) => {
        keysRead.push(reads.length);
        return read(reads, ttlSeconds);
      };
    }
  });
  afterAll(async () => {
    await running.stop();
  });

  it('declares comments within their article', () => {
    expect(running.blog.sweeper.tokenSpec('Comment').within).toEqual([['Article', 'articleId']]);
  });

  /** The third visit of `path` (a full hit), and the keys it read. */
  async function thirdVisit(path: string): Promise<{ html: string; keys: number }> {
    const visitor = new HttpVisitor(running.url);
    await visitor.get(path);
    await visitor.get(path);
    keysRead.length = 0;
    const { html } = await visitor.get(path);
    return { html, keys: keysRead.reduce((sum, keys) => sum + keys, 0) };
  }

  it('serves the article page from the cache reading 6 keys, however many comments it has', async () => {
    const { html, keys } = await thirdVisit('/articles/1');
    expect(panelFigures(html)).toMatchObject({ hits: 1, misses: 0, uncached: 0, roundTrips: 1 });
    // The article's generation, counter and contents counter and the comments' generation, and the
    // records of the contents counter's next two bumps (none: nothing changed); not the 12 comment
    // counters, and not the page's bytes: the process holds a local copy of the page, which those
    // tokens show valid.
    if (backend === 'memcached') expect(keys).toBe(6);
  });

  it('serves the front page from one cached fragment without a query or the articles’ contents counters', async () => {
    const { html, keys } = await thirdVisit('/');
    const articles = await running.blog.models.Article.count();
    // The list's block hits: its summaries are not looked up, and the route ran no query.
    expect(panelFigures(html)).toMatchObject({ hits: 1, misses: 0, uncached: 0, roundTrips: 1 });
    // The articles' generation and model counter, and each article's counter (the summaries the stored
    // list records): no contents counter (the summaries nest no comment), no bytes (a local copy).
    if (backend === 'memcached') expect(keys).toBe(2 + articles);
  });

  it('shows a like at once, re-rendering only that comment and the article, in two read rounds', async () => {
    const visitor = new HttpVisitor(running.url);
    const before = await visitor.get('/articles/1');
    await visitor.get('/articles/1');
    const liked = await visitor.post('/comments/3/like', { _csrf: HttpVisitor.csrfTokenIn(before.html) });
    expect(liked.status).toBe(303);
    const after = await visitor.get('/articles/1');
    expect(likesOf(after.html, 3)).toBe(likesOf(before.html, 3) + 1);
    expect(likesOf(after.html, 4)).toBe(likesOf(before.html, 4));
    // The other 11 comments are kept from the page's last copy: the records of the like name comment 3 alone.
    expect(panelFigures(after.html)).toMatchObject({ misses: 2, hits: 11, kept: 11, uncached: 0, roundTrips: 2 });
    expect(running.cacheErrors).toEqual([]);
  });

  it('shows a new comment and a comment moved to another article on both pages', async () => {
    const visitor = new HttpVisitor(running.url);
    const page = await visitor.get('/articles/2');
    await visitor.get('/articles/2');
    const added = await visitor.addComment(2, page, { author: 'Within', body: 'a comment inside article two' });
    expect(added.status).toBe(303);
    expect((await visitor.get('/articles/2')).html).toContain('a comment inside article two');

    const { Comment } = running.blog.models;
    const moved = await Comment.findOne({ where: { body: 'a comment inside article two' } });
    await visitor.get('/articles/1');
    await running.blog.sequelize.transaction((transaction) => moved!.update({ articleId: 1 }, { transaction }));
    await running.blog.sweeper.idle();
    await running.blog.installation.outbox?.idle();
    await expect.poll(async () => (await visitor.get('/articles/1')).html).toContain('a comment inside article two');
    expect((await visitor.get('/articles/2')).html).not.toContain('a comment inside article two');
  });
});
