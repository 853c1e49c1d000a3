import { createStats, type SweeperStats } from '@cachesweeper/core';
import Handlebars from 'handlebars';
import { recordReads } from '../cache-census';
import type { BlogFixture } from '../fixtures';
import type { CachedArticlePage } from '../page';
import { BENCH_VISITOR } from '../views';
import { RawMemcached } from './raw-memcached';

/** The article page served from memcached with nothing but a bare socket and a template literal. */
export interface FloorPage {
  /** The article query, the page's read rounds over the bare socket, string assembly. */
  render(): Promise<string>;
  /** The read rounds and assembly alone, for an article already loaded. */
  renderLoaded(article: { id: number; title: string }): Promise<string>;
  /** The key rounds a full hit reads (recorded from the real page). */
  readonly rounds: readonly (readonly string[])[];
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
  <link rel="stylesheet" href="/style.css">
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
    <span>hits <b id="cache-hits">${stats.hits}</b></span>
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
 * The floor under a full-hit memcached page: the same article query, the same key
 * rounds (recorded from the real page) over a bare socket, and the page assembled
 * with a template literal. No key building, no tokens, no template engine, no
 * deadlines: what no caching library can go below.
 */
export async function floorArticlePage(
  fixture: BlogFixture,
  page: CachedArticlePage,
  memcachedAddress: string,
): Promise<FloorPage> {
  const { rounds } = await recordReads(fixture.blog.sweeper.backend, page.render);
  const raw = await RawMemcached.connect(memcachedAddress);
  const stats: SweeperStats = { ...createStats(), hits: 1, roundTrips: rounds.length };
  const read = async (article: { id: number; title: string }) => {
    let fragment = '';
    for (const keys of rounds) {
      const values = await raw.getMany(keys);
      fragment = values[values.length - 1] ?? '';
    }
    // The stored header (the counters nested in the page) is skipped, not checked: the floor trusts the cache.
    fragment = fragment.startsWith('#') ? fragment.slice(fragment.indexOf('\n') + 1) : fragment.slice(1);
    return assembleArticlePage(article, fragment.trim(), stats, fixture.blog.sweeper.stats(), fixture.backend);
  };
  const renderLoaded = (article: { id: number; title: string }) => read(article);
  return {
    rounds,
    renderLoaded,
    async render() {
      const article = await fixture.blog.models.Article.findByPk(fixture.articleId, { raw: true });
      if (article === null) throw new Error('[cachesweeper] [bench] the article is gone');
      return renderLoaded(article);
    },
    close: () => raw.close(),
  };
}
