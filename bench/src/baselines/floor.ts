import { type CacheEntry, CacheSweeperError, createStats, type SweeperStats } from '@cachesweeper/core';
import Handlebars from 'handlebars';
import { recordReads, recordStores } from '../cache-census';
import type { BlogFixture } from '../fixtures';
import type { CachedArticlePage } from '../page';
import { BENCH_VISITOR } from '../views';
import { RawMemcached } from './raw-memcached';

/** The article page served from memcached with nothing but a bare socket and a template literal. */
export interface FloorPage {
  /** The page's read rounds over the bare socket, its fragment's bytes (held, as the page holds them), assembly into bytes. */
  render(): Promise<Buffer[]>;
  /** The key rounds a full hit reads (recorded from the real page). */
  readonly rounds: readonly (readonly string[])[];
  /** The page fragment as stored, header and envelope included. */
  readonly fragment: string;
  close(): void;
}

const escapeHtml = Handlebars.escapeExpression;

/**
 * The full-hit page as a hand-written template literal: the layout and the parts
 * of `articles/show` outside the cached block, around the cached fragment.
 * Byte-identical to the real page (checked by the floor scenario).
 */
export function assembleArticlePage(
  article: { id: number; title: string },
  fragment: string,
  stats: SweeperStats,
  totals: Pick<SweeperStats, 'invalidations'>,
  backendName: string,
): string {
  const visitor = BENCH_VISITOR;
  const title = escapeHtml(article.title);
  const token = escapeHtml(visitor.csrfToken);
  const name = visitor.name === undefined ? 'Not commented yet' : `Commenting as ${escapeHtml(visitor.name)}`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title} · cachesweeper blog</title>
  <link rel="stylesheet" href="/assets/style.css">
</head>
<body>
  <header class="site">
    <a class="home" href="/">cachesweeper blog</a>
    <span class="visitor" id="visitor-name">${name}</span>
  </header>
  <main>
${fragment}
<p><a id="edit-article" href="/articles/${article.id}/edit">Edit this article</a></p>
<form id="vote-form" method="post" action="/articles/${article.id}">
  <input type="hidden" name="_csrf" value="${token}">
</form>
<form class="comment-form" id="comment-form" method="post" action="/articles/${article.id}/comments">
  <h2>Add a comment</h2>
  <input type="hidden" name="_csrf" value="${token}">
  
  <label>Name <input name="author" maxlength="80" value=""></label>
  
  <label>Comment <textarea name="body" rows="3" maxlength="2000"></textarea></label>
  
  <button type="submit" id="add-comment">Add comment</button>
</form>
  </main>
  <aside class="cache-panel" id="cache-panel" aria-label="Cache figures for this page">
    <strong>This page</strong>:
    <span>hits <b id="cache-hits">${stats.hits}</b> (<b id="cache-kept">${stats.kept}</b> kept from the page's last copy)</span>
    <span>misses <b id="cache-misses">${stats.misses}</b></span>
    <span>uncached <b id="cache-uncached">${stats.uncached}</b></span>
    <span>round trips: <b id="cache-round-trips">${stats.roundTrips - stats.writeRoundTrips}</b> reads before the page was sent</span>
    <span>+ <b id="cache-background-writes">${Math.max(stats.writeRoundTrips, stats.queuedStores > 0 ? 1 : 0)}</b> background write of <b id="cache-queued-stores">${stats.queuedStores}</b> fragments after it</span>
    <span>· since start: invalidations <b id="cache-invalidations">${totals.invalidations}</b></span>
    <span>backend <b id="cache-backend">${escapeHtml(backendName)}</b></span>
  </aside>
</body>
</html>`;
}

/**
 * The floor under a full-hit memcached page: the same key rounds as the page (recorded
 * from it) over a bare socket, the page's fragment held in memory as the page holds its
 * local copy, its title taken from the exports stored with it, and the page assembled
 * with a template literal. No key building, no tokens, no template engine, no
 * deadlines: what no caching library can go below.
 */
export async function floorArticlePage(
  fixture: BlogFixture,
  page: CachedArticlePage,
  memcachedAddress: string,
): Promise<FloorPage> {
  const backend = fixture.blog.sweeper.backend;
  // The page is rendered once more (every block missed after a bump) to see what it stores: the page
  // fragment is the one written under the article's key. The process keeps a copy, so its hits never read it.
  await fixture.blog.sweeper.invalidate({ model: 'Article', id: fixture.articleId });
  const written = await recordStores(backend, async () => {
    await page.render();
    await fixture.blog.sweeper.idle();
  });
  const article = `:Article:=${fixture.articleId}:`;
  const stored = written.stores.filter((entry) => entry.key.includes(article));
  if (stored.length !== 1) {
    throw new CacheSweeperError(
      'bench',
      `the page of ${fixture.namespace} stored ${stored.length} fragments under its article's key, not 1`,
    );
  }
  const { key: fragmentKey, value: held } = stored[0] as CacheEntry;
  const { rounds } = await recordReads(backend, page.render);
  const raw = await RawMemcached.connect(memcachedAddress);
  const stats: SweeperStats = { ...createStats(), hits: 1, roundTrips: rounds.length };
  // The fragment's bytes, encoded once, as the page holds them (`HeldFragmentBytes`).
  let encoded: { stored: string; bytes: Buffer } | undefined;
  return {
    rounds,
    fragment: held,
    async render() {
      let stored = held;
      for (const keys of rounds) {
        const values = await raw.getMany(keys);
        const at = keys.indexOf(fragmentKey);
        if (at >= 0) stored = values[at] ?? held;
      }
      // The stored header (expiry, render time, the counters nested in the page) is skipped, not checked: the floor trusts the cache.
      const at = (STAMPS.exec(stored)?.[0] ?? '').length;
      const body = stored[at] === '#' ? stored.slice(stored.indexOf('\n', at) + 1) : stored.slice(at + 1);
      const { title, html } = openExports(body);
      if (encoded?.stored !== stored) encoded = { stored, bytes: Buffer.from(html.trim()) };
      const article = { id: fixture.articleId, title };
      const [head, tail] = assembleArticlePage(
        article,
        FRAGMENT_HERE,
        stats,
        fixture.blog.sweeper.stats(),
        fixture.backend,
      ).split(FRAGMENT_HERE);
      // The pieces a server writes one after the other, the held bytes among them.
      return [Buffer.from(head as string), encoded.bytes, Buffer.from(tail as string)];
    },
    close: () => raw.close(),
  };
}

/** Where the held fragment goes in the page's text, split there to write its bytes. */
const FRAGMENT_HERE = '\u0000fragment\u0000';

const PARTS_MARK = '\u0000cachesweeper-parts:';
const EXPORTS_MARK = '\u0000cachesweeper-exports:';
/** The optional `@<expiry>` and `~<render µs>` before a stored fragment's header. */
const STAMPS = /^(?:@\d+)?(?:~\d+)?/;

/** The title the block exported, and its HTML (see the handlebars package's template envelope: its parts go first). */
function openExports(stored: string): { title: string; html: string } {
  const body = stored.startsWith(PARTS_MARK) ? stored.slice(stored.indexOf('\n') + 1) : stored;
  if (!body.startsWith(EXPORTS_MARK)) return { title: '', html: body };
  const end = body.indexOf('\n');
  const exports = JSON.parse(body.slice(EXPORTS_MARK.length, end)) as { title?: unknown };
  return { title: String(exports.title ?? ''), html: body.slice(end + 1) };
}
