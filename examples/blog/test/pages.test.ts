import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpVisitor, likesOf, panelFigures } from './support/browser-less-visitor';
import { type BlogBackend, type RunningBlog, startBlog } from './support/running-blog';

describe.each<BlogBackend>(['memory', 'memcached', 'redis'])('the blog on the %s backend', (backend) => {
  let running: RunningBlog;
  beforeAll(async () => {
    running = await startBlog(backend);
  });
  afterAll(async () => {
    await running.stop();
  });

  it('lists the seeded articles with their comment counts', async () => {
    const { status, html } = await new HttpVisitor(running.url).get('/');
    expect(status).toBe(200);
    expect(html).toContain('Notes on caching #1');
    expect(html).toMatch(/12 comments/);
  });

  it('serves the stylesheet the layout links under /assets, and nothing from public/ at the root', async () => {
    const { html } = await new HttpVisitor(running.url).get('/');
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(html)?.[1];
    expect(href).toBe('/assets/style.css');
    const stylesheet = await fetch(new URL(href as string, running.url));
    expect(stylesheet.status).toBe(200);
    expect(stylesheet.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await stylesheet.text()).toContain('{');
    // Pages are not looked up on disk first (a stat per request): the root serves no file.
    expect((await fetch(new URL('/style.css', running.url))).status).toBe(404);
  });

  it('serves a second view of an article from one cached fragment in one round trip', async () => {
    const visitor = new HttpVisitor(running.url);
    await visitor.get('/articles/2');
    const { html } = await visitor.get('/articles/2');
    // The article's token and its page fragment under the key it had last time, in one multi-get.
    expect(panelFigures(html)).toEqual({
      hits: 1,
      kept: 0,
      misses: 0,
      uncached: 0,
      roundTrips: 1,
      backgroundWrites: 0,
      queuedStores: 0,
    });
  });

  it('shows a like after one vote, re-rendering only that comment and the article', async () => {
    const visitor = new HttpVisitor(running.url);
    const before = await visitor.get('/articles/1');
    await visitor.get('/articles/1'); // warm
    const liked = await visitor.post('/comments/3/like', { _csrf: HttpVisitor.csrfTokenIn(before.html) });
    expect(liked.status).toBe(303);
    expect(liked.location).toBe('/articles/1#comment-3');
    const after = await visitor.get('/articles/1');
    expect(likesOf(after.html, 3)).toBe(likesOf(before.html, 3) + 1);
    expect(likesOf(after.html, 4)).toBe(likesOf(before.html, 4));
    // The article page and comment 3 missed; the other 11 comments came from the cache.
    expect(panelFigures(after.html)).toMatchObject({ misses: 2, hits: 11, uncached: 0 });
    // Read rounds before the page was sent (tokens, then the two missed fragments' level),
    // then one background write of the two renderings after it.
    expect(panelFigures(after.html)).toMatchObject({ roundTrips: 2, backgroundWrites: 1, queuedStores: 2 });
  });

  it('adds a comment and shows it, remembering the author for this visitor only', async () => {
    const alice = new HttpVisitor(running.url);
    const page = await alice.get('/articles/2');
    const added = await alice.addComment(2, page, { author: 'Alice', body: 'A <script>alert(1)</script> comment' });
    expect(added.status).toBe(303);
    const after = await alice.get('/articles/2');
    expect(after.html).toContain('A &lt;script&gt;alert(1)&lt;/script&gt; comment');
    expect(after.html).toContain('Commenting as Alice');
  });

  it('edits an article title and shows the new one', async () => {
    const visitor = new HttpVisitor(running.url);
    await visitor.get('/articles/3');
    const form = await visitor.get('/articles/3/edit');
    const saved = await visitor.post('/articles/3/edit', {
      _csrf: HttpVisitor.csrfTokenIn(form.html),
      title: 'A title edited by a test',
      body: 'New body.',
    });
    expect(saved.status).toBe(303);
    const { html } = await visitor.get('/articles/3');
    expect(html).toContain('<h1 id="article-title">A title edited by a test</h1>');
    expect((await visitor.get('/')).html).toContain('A title edited by a test');
  });

  it('never shows one visitor the name or form token of another', async () => {
    const alice = new HttpVisitor(running.url);
    const bob = new HttpVisitor(running.url);
    const alicePage = await alice.get('/articles/1');
    const aliceToken = HttpVisitor.csrfTokenIn(alicePage.html);
    await alice.post('/articles/1/comments', { _csrf: aliceToken, author: 'Alice Secretname', body: 'hello' });
    const aliceAfter = await alice.get('/articles/1');
    const bobPage = await bob.get('/articles/1');
    const bobToken = HttpVisitor.csrfTokenIn(bobPage.html);
    expect(bobToken).not.toBe(aliceToken);
    expect(bobPage.html).not.toContain(aliceToken);
    expect(bobPage.html).not.toContain('Commenting as Alice');
    expect(aliceAfter.html).not.toContain(bobToken);
    expect(aliceAfter.html).toContain('Commenting as Alice Secretname');
    // The comment itself is public and shared: both see it, from one cached fragment.
    expect(bobPage.html).toContain('Alice Secretname</strong> said');
  });

  it('answers an unknown article with a 404 page', async () => {
    const visitor = new HttpVisitor(running.url);
    for (const path of ['/articles/999', '/articles/abc', '/articles/1.5', '/nowhere']) {
      const { status, html } = await visitor.get(path);
      expect(status, path).toBe(404);
      expect(html).toContain('<h1>Not found</h1>');
    }
    const page = await visitor.get('/articles/1');
    expect((await visitor.post('/comments/99999/like', { _csrf: HttpVisitor.csrfTokenIn(page.html) })).status).toBe(
      404,
    );
  });

  it('answers 404 for an article that does not exist yet, from the cache too, and shows it once it is created', async () => {
    const visitor = new HttpVisitor(running.url);
    for (let view = 0; view < 2; view++) {
      const { status, html } = await visitor.get('/articles/777');
      expect(status).toBe(404);
      expect(html).toContain('There is no article 777.');
    }
    const { Article } = running.blog.models;
    await running.blog.sequelize.transaction((transaction) =>
      Article.create({ id: 777, title: 'Late <arrival>', body: 'Now it exists.' }, { transaction }),
    );
    const created = await visitor.get('/articles/777');
    expect(created.status).toBe(200);
    expect(created.html).toContain('<title>Late &lt;arrival&gt; · cachesweeper blog</title>');
    expect(created.html).toContain('Now it exists.');
    // The title comes from the cached block's exports on a hit too.
    const again = await visitor.get('/articles/777');
    expect(again.html).toContain('<title>Late &lt;arrival&gt; · cachesweeper blog</title>');
    expect(panelFigures(again.html)).toMatchObject({ hits: 1, misses: 0 });
  });

  it('answers an invalid comment with 400 and the form again, keeping what was typed', async () => {
    const visitor = new HttpVisitor(running.url);
    const page = await visitor.get('/articles/1');
    const { status, html } = await visitor.post('/articles/1/comments', {
      _csrf: HttpVisitor.csrfTokenIn(page.html),
      author: '',
      body: 'typed text',
    });
    expect(status).toBe(400);
    expect(html).toContain('id="author-error">Name is required.');
    expect(html).toContain('>typed text</textarea>');
  });

  it('answers an invalid article edit with 400 and the form again', async () => {
    const visitor = new HttpVisitor(running.url);
    const form = await visitor.get('/articles/2/edit');
    const { status, html } = await visitor.post('/articles/2/edit', {
      _csrf: HttpVisitor.csrfTokenIn(form.html),
      title: 'x'.repeat(201),
      body: 'b',
    });
    expect(status).toBe(400);
    expect(html).toContain('Title is 201 characters; at most 200.');
  });

  it('records a vote in the outbox and leaves the outbox empty once its bump landed', async () => {
    const outbox = running.blog.installation.outbox;
    expect(outbox?.polling).toBe(true);
    const visitor = new HttpVisitor(running.url);
    const page = await visitor.get('/articles/1');
    await visitor.post('/comments/5/like', { _csrf: HttpVisitor.csrfTokenIn(page.html) });
    await outbox?.idle();
    expect(await outbox?.pending()).toBe(0);
  });

  it("refuses a form without this visitor's token", async () => {
    const visitor = new HttpVisitor(running.url);
    await visitor.get('/articles/1');
    expect((await visitor.post('/comments/1/like', {})).status).toBe(403);
    expect((await visitor.post('/comments/1/like', { _csrf: 'forged' })).status).toBe(403);
  });
});

describe.each(['memcached', 'redis'] as const)('the blog with its %s server down', (backend) => {
  let running: RunningBlog;
  beforeAll(async () => {
    running = await startBlog(backend);
  });
  afterAll(async () => {
    await running.stop();
  });

  it('still serves every page, uncached, and takes votes', async () => {
    const visitor = new HttpVisitor(running.url);
    const warm = await visitor.get('/articles/1');
    await (running.memcached ?? running.redis)?.kill('SIGKILL');
    const down = await visitor.get('/articles/1');
    expect(down.status).toBe(200);
    expect(panelFigures(down.html).uncached).toBeGreaterThan(0);
    const liked = await visitor.post('/comments/2/like', { _csrf: HttpVisitor.csrfTokenIn(warm.html) });
    expect(liked.status).toBe(303);
    const after = await visitor.get('/articles/1');
    expect(after.status).toBe(200);
    expect(likesOf(after.html, 2)).toBe(likesOf(warm.html, 2) + 1);
    expect((await visitor.get('/')).status).toBe(200);
    expect(running.cacheErrors.length).toBeGreaterThan(0);
  });

  it('keeps the votes it took meanwhile in the outbox, and applies them once the server is back', async () => {
    const outbox = running.blog.installation.outbox;
    expect(await outbox?.pending()).toBeGreaterThan(0);
    await (running.memcached ?? running.redis)?.restart();
    await waitFor(async () => (await outbox?.pending()) === 0, 30_000);
  }, 40_000);
});

/** Polls `check` every 50 ms until it holds; fails after `timeoutMs`. */
async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
