import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStats, createSweeper, type Sweeper, type SweeperStats } from '@cachesweeper/core';
import express from 'express';
import { create } from 'express-handlebars';
import Handlebars from 'handlebars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachesweeperEngine, cachesweeperResponses, PAGE_AS_BYTES, sendPage } from '../src';
import { row } from './support';

const views = mkdtempSync(join(tmpdir(), 'cachesweeper-views-'));
const files: Record<string, string> = {
  'layouts/main.hbs': `<!doctype html>
<html>
  <head><title>{{title}}</title></head>
  <body>
    {{#cachesweeper article 600 "nav"}}<nav>{{title}}</nav>{{/cachesweeper}}
    {{{body}}}
    <footer>Signed in as {{user.name}}</footer>
  </body>
</html>
`,
  'partials/comment.hbs': `{{#cachesweeper this 600 "comment"}}
<li id="c{{id}}">
  {{text}} <small>#{{@index}} of {{@root.title}}</small>
</li>
{{/cachesweeper}}
`,
  'article.hbs': `{{#cachesweeper article 600 "page" load=loadPage}}
<article>
  <h1>{{title}}</h1>
  <ul>
    {{#each comments}}
      {{> comment}}
    {{/each}}
  </ul>
</article>
{{/cachesweeper}}
<form method="post"><input type="hidden" name="csrf" value="{{csrf}}"></form>
`,
};
for (const [name, source] of Object.entries(files)) {
  mkdirSync(join(views, name, '..'), { recursive: true });
  writeFileSync(join(views, name), source);
}

const db = {
  title: 'Hello <world>',
  comments: [
    row('Comment', 1, { text: 'first & best' }),
    row('Comment', 2, { text: 'second' }),
    // Long enough for its fragment to be sent from held bytes; non-ASCII, so bytes and characters differ.
    row('Comment', 3, { text: `long: ${'é€😀 '.repeat(5000)}` }),
  ],
};

interface App {
  url: string;
  sweeper: Sweeper | undefined;
  loads: number;
  close(): Promise<void>;
}

/** An Express app on an ephemeral port: cached (with the engine) or plain express-handlebars. */
async function startApp(
  cached: boolean,
  options: { viewCache?: boolean; bytes?: boolean; etag?: false } = {},
): Promise<App> {
  const app = express();
  if (options.etag === false) app.set('etag', false);
  if (options.bytes) app.use(cachesweeperResponses());
  const sweeper = cached ? createSweeper() : undefined;
  const handlebars = Handlebars.create();
  const exphbs = create({ handlebars, extname: '.hbs', defaultLayout: 'main' });
  if (sweeper) {
    cachesweeperEngine(exphbs, sweeper, {
      stats: (locals) => locals.cachesweeperStats as SweeperStats | undefined,
    });
  } else {
    // Without a cache, a block renders in place, its loader (if any) giving its context.
    handlebars.registerHelper('cachesweeper', function (this: unknown, ...args: unknown[]) {
      const options = args.pop() as { fn(context: unknown): string; hash: { load?: () => object } };
      return options.fn(options.hash.load ? options.hash.load() : this);
    });
  }
  app.engine('.hbs', exphbs.engine as Parameters<typeof app.engine>[1]);
  app.set('view engine', '.hbs');
  app.set('views', views);
  if (options.viewCache) app.enable('view cache');
  const state: App = { url: '', sweeper, loads: 0, close: async () => {} };
  const stats = new Map<string, SweeperStats>();
  app.get('/articles/1', (req, res) => {
    const user = req.query.user === 'bob' ? { name: 'Bob' } : { name: 'Alice' };
    const pageStats = createStats();
    stats.set(String(req.query.probe ?? ''), pageStats);
    const article = row('Article', 1);
    const loadPage = async () => {
      state.loads++;
      return { title: db.title, comments: db.comments };
    };
    // Plain express-handlebars has no loaders: the page data goes in the context.
    const pageData = cached ? {} : { title: db.title, comments: db.comments };
    res.render('article', {
      title: db.title,
      article,
      user,
      csrf: `token-of-${user.name}`,
      cachesweeperStats: pageStats,
      ...(cached ? { loadPage } : { loadPage: () => pageData }),
    });
  });
  app.get('/string', (_req, res) => {
    res.render('article', { title: db.title, article: row('Article', 1), loadPage: async () => db }, (error, html) => {
      res.json({ error: error?.message, type: typeof html });
    });
  });
  app.get('/callback', (_req, res, next) => {
    const locals = { title: db.title, article: row('Article', 1), loadPage: async () => db, user: { name: 'Alice' } };
    res.render('article', { ...locals, csrf: 'token-of-Alice', [PAGE_AS_BYTES]: true }, (error, page) => {
      if (error) return next(error);
      sendPage(res, page);
    });
  });
  app.get('/as-json', (_req, res, next) => {
    res.render(
      'article',
      { title: db.title, article: row('Article', 1), loadPage: async () => db, [PAGE_AS_BYTES]: true },
      (error, page) => {
        if (error) return next(error);
        res.send(page);
      },
    );
  });
  app.get('/broken', (_req, res) => {
    res.render('article', {
      title: db.title,
      article: row('Article', 9),
      loadPage: async () => {
        throw new Error('no such article');
      },
    });
  });
  app.use((error: Error, _req: unknown, res: express.Response, _next: unknown) => {
    res.status(500).send(`failed: ${error.message}`);
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  (state as App & { stats: typeof stats }).stats = stats;
  return state;
}

const apps: App[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  rmSync(views, { recursive: true, force: true });
});

async function get(app: App, query = '') {
  const response = await fetch(`${app.url}/articles/1${query}`);
  return { status: response.status, html: await response.text() };
}

describe('the express-handlebars engine', () => {
  let plain: App;
  let cached: App;
  beforeAll(async () => {
    plain = await startApp(false);
    cached = await startApp(true);
    apps.push(plain, cached);
  });

  it('serves a page with a layout and partials byte-identical to plain express-handlebars, cold and warm', async () => {
    const expected = await get(plain);
    expect(expected.status).toBe(200);
    expect(expected.html).toContain('<nav>Hello &lt;world&gt;</nav>');
    expect(expected.html).toContain(
      '      <li id="c1">\n        first &amp; best <small>#0 of Hello &lt;world&gt;</small>\n      </li>',
    );
    const cold = await get(cached);
    await cached.sweeper?.idle();
    const warm = await get(cached);
    expect(cold).toEqual(expected);
    expect(warm).toEqual(expected);
  });

  it('a warm page runs no loader and reads the cache in one session: one round for the view, one for the layout', async () => {
    await get(cached);
    await cached.sweeper?.idle();
    const loads = cached.loads;
    await get(cached, '?probe=warm');
    const stats = (cached as App & { stats: Map<string, SweeperStats> }).stats.get('warm');
    expect(cached.loads).toBe(loads);
    // view: tokens with the fragment under its last key; layout: the article's token is
    // already read, so nothing rides along, and its fragment takes a round of its own
    expect(stats).toMatchObject({ hits: 2, misses: 0, roundTrips: 2 });
  });

  it('per-user parts outside cached blocks never leak between visitors', async () => {
    const alice = await get(cached);
    const bob = await get(cached, '?user=bob');
    expect(alice.html).toContain('value="token-of-Alice"');
    expect(alice.html).toContain('Signed in as Alice');
    expect(alice.html).not.toContain('Bob');
    expect(bob.html).toContain('value="token-of-Bob"');
    expect(bob.html).toContain('Signed in as Bob');
    expect(bob.html).not.toContain('Alice');
  });

  it('an invalidated comment shows its new text on the next request', async () => {
    await get(cached);
    await cached.sweeper?.idle();
    const second = db.comments[1] as { text: string };
    const before = second.text;
    second.text = 'second, edited';
    try {
      await cached.sweeper?.invalidateMany([row('Comment', 2), row('Article', 1)]);
      expect((await get(cached)).html).toContain('second, edited');
      expect((await get(plain)).html).toEqual((await get(cached)).html);
    } finally {
      second.text = before;
    }
  });

  it('works the same with Express view caching on', async () => {
    const app = await startApp(true, { viewCache: true });
    apps.push(app);
    const cold = await get(app);
    await app.sweeper?.idle();
    expect(await get(app)).toEqual(cold);
    expect(cold).toEqual(await get(plain));
  });

  it('refuses an ExpressHandlebars instance that would register on the global Handlebars', () => {
    expect(() => cachesweeperEngine(create({}), createSweeper())).toThrow(
      /compiles with the global Handlebars; give it its own, create\(\{ handlebars: Handlebars.create\(\)/,
    );
  });

  it('refuses held-bytes settings that are not an object, naming them', () => {
    const exphbs = create({ handlebars: Handlebars.create() });
    expect(() => cachesweeperEngine(exphbs, createSweeper(), { heldBytes: 'lots' as never })).toThrow(
      /HeldFragmentBytes: options must be an object \(\{ maxBytes \}\), got "lots"/,
    );
  });

  it('refuses something that is not an ExpressHandlebars instance', () => {
    expect(() => cachesweeperEngine({} as never, createSweeper())).toThrow(/must be an ExpressHandlebars instance/);
  });
});

/** A GET with If-None-Match (fetch adds Cache-Control: no-cache to such a request, which Express then answers in full). */
function conditionalGet(url: string, etag: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { headers: { 'if-none-match': etag } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

describe('pages sent as bytes (cachesweeperResponses)', () => {
  let plain: App;
  let bytes: App;
  beforeAll(async () => {
    plain = await startApp(false);
    bytes = await startApp(true, { bytes: true });
    apps.push(plain, bytes);
  });

  it('sends the same page as HTML, cold and warm, with its length, type and ETag', async () => {
    const expected = await fetch(`${plain.url}/articles/1`);
    const expectedBody = await expected.text();
    for (let round = 0; round < 3; round++) {
      const response = await fetch(`${bytes.url}/articles/1`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(expected.headers.get('content-type'));
      expect(response.headers.get('content-length')).toBe(expected.headers.get('content-length'));
      // Weak, of the page's length and its pieces' digests: the same for the same bytes, in any process.
      expect(response.headers.get('etag')).toMatch(new RegExp(`^W/"${Buffer.byteLength(expectedBody).toString(16)}-`));
      expect(await response.text()).toBe(expectedBody);
      await bytes.sweeper?.idle();
    }
  });

  it('answers a conditional request for an unchanged page with 304, and one for a changed page with it', async () => {
    await fetch(`${bytes.url}/articles/1`);
    await bytes.sweeper?.idle();
    const etag = (await fetch(`${bytes.url}/articles/1`)).headers.get('etag') as string;
    expect(await conditionalGet(`${bytes.url}/articles/1`, etag)).toEqual({ status: 304, body: '' });
    const other = await conditionalGet(`${bytes.url}/articles/1?user=bob`, etag);
    expect(other.status).toBe(200);
    expect(other.body).toContain('Signed in as Bob');
    // A change inside the held fragment changes the ETag too.
    const third = db.comments[2] as { text: string };
    const before = third.text;
    // Same length: only the fragment's digest tells the pages apart.
    third.text = before.replace('long', 'LONG');
    try {
      await bytes.sweeper?.invalidateMany([row('Comment', 3), row('Article', 1)]);
      const changed = await conditionalGet(`${bytes.url}/articles/1`, etag);
      expect(changed.status).toBe(200);
      expect(changed.body).toContain('LONG: ');
    } finally {
      third.text = before;
      await bytes.sweeper?.invalidateMany([row('Comment', 3), row('Article', 1)]);
    }
  });

  it('sends a page a route got through its callback with sendPage, answers HEAD without a body', async () => {
    const expected = await (await fetch(`${plain.url}/articles/1`)).text();
    expect(await (await fetch(`${bytes.url}/callback`)).text()).toBe(expected);
    const head = await fetch(`${bytes.url}/articles/1`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(expected)));
    expect(await head.text()).toBe('');
  });

  it('refuses to send a page as JSON where the middleware is not installed', async () => {
    const app = await startApp(true);
    apps.push(app);
    const response = await fetch(`${app.url}/as-json`);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('PageBody: send a page rendered as bytes with sendPage(res, page)');
  });

  it('sends no ETag when the app turned them off', async () => {
    const app = await startApp(true, { bytes: true, etag: false });
    apps.push(app);
    const response = await fetch(`${app.url}/articles/1`);
    expect(response.headers.get('etag')).toBeNull();
    expect(await response.text()).toBe(await (await fetch(`${plain.url}/articles/1`)).text());
  });

  it('leaves a render with a callback a string, and sends a failed render to the error handler', async () => {
    expect(await (await fetch(`${bytes.url}/string`)).json()).toEqual({ type: 'string' });
    const broken = await fetch(`${bytes.url}/broken`);
    expect(broken.status).toBe(500);
    expect(await broken.text()).toContain('no such article');
  });
});
