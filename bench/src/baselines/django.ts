import { createHash } from 'node:crypto';
import { createStats } from '@cachesweeper/core';
import Handlebars from 'handlebars';
import Memcached from 'memcached';
import type { BlogFixture } from '../fixtures';
import type { RenderedPage } from '../page';
import { BENCH_VISITOR, compileArticleTemplates } from '../views';
import { ignoreExports } from './uncached';

/** django-cache-sweeper's page, reimplemented, with the round trips it made. */
export interface DjangoArticlePage {
  render(): Promise<RenderedPage>;
  close(): void;
}

interface CommentRow {
  id: number;
  articleId: number;
  author: string;
  body: string;
  likes?: number;
  dislikes?: number;
}

/** The npm client's settings that behaved (see DESIGN.md); its defaults hang on a dead server. */
const CLIENT_OPTIONS = { retries: 3, minTimeout: 20, maxTimeout: 100, factor: 2, retry: 2000, timeout: 1000 };

/**
 * django-cache-sweeper's algorithm, faithfully, on the same memcached through the
 * plain npm `memcached` client: the page runs the article query and the comment
 * list query, and each `{% cachesweeper comment %}` block, one after the other,
 * reads the comment's version key (`cachesweeper.<model>.<pk>`), then the fragment
 * under `<version key>.<version>.<md5 of the key parts>`; a miss loads the block's
 * data (likes count, dislikes count), renders it and sets it. Two sequential round
 * trips per block when warm. Two faults of the original are fixed in its favour:
 * its version keys are stored without expiry (Django's timeout 0 stored them already
 * expired, a third round trip per block), and the version starts at 0 as it did.
 * As in its README, the comment blocks are cached and the article around them is
 * rendered on every request: with no cascade, an article block would not see votes.
 */
export function djangoArticlePage(fixture: BlogFixture, memcachedAddress: string): DjangoArticlePage {
  const { models } = fixture.blog;
  const client = new Memcached(memcachedAddress, CLIENT_OPTIONS);
  const get = (key: string) =>
    new Promise<string | undefined>((resolve, reject) =>
      client.get(key, (error, value) =>
        error ? reject(error) : resolve(value === undefined ? undefined : String(value)),
      ),
    );
  const set = (key: string, value: string) =>
    new Promise<void>((resolve, reject) => client.set(key, value, 0, (error) => (error ? reject(error) : resolve())));

  let fragments = new Map<number, string>();
  let stores: [string, string][] = [];
  const missedKeys = new Map<number, string>();
  const handlebars = Handlebars.create();
  handlebars.registerHelper('cachesweeper', function (this: unknown, ...args: unknown[]) {
    const options = args[args.length - 1] as Handlebars.HelperOptions;
    if (args[2] !== 'comment') return options.fn(this);
    const comment = this as CommentRow;
    const cached = fragments.get(comment.id);
    if (cached !== undefined) return cached;
    const html = options.fn(this);
    stores.push([missedKeys.get(comment.id) as string, html]);
    return html;
  });
  handlebars.registerHelper('cachesweeperExport', ignoreExports);
  const templates = compileArticleTemplates(handlebars);
  const partsDigest = createHash('md5').update('comment').digest('hex');

  return {
    async render() {
      const row = await models.Article.findByPk(fixture.articleId);
      if (row === null) throw new Error('[cachesweeper] [bench] the article is gone');
      const article = row.get({ plain: true });
      const comments = (await models.Comment.findAll({
        where: { articleId: article.id },
        order: [['id', 'ASC']],
        raw: true,
      })) as CommentRow[];
      fragments = new Map();
      stores = [];
      missedKeys.clear();
      let roundTrips = 0;
      let hits = 0;
      for (const comment of comments) {
        const versionKey = `cachesweeper.${fixture.namespace}.comment.${comment.id}`;
        let version = await get(versionKey);
        roundTrips++;
        if (version === undefined) {
          version = '0';
          await set(versionKey, version);
          roundTrips++;
        }
        const fragmentKey = `cachesweeper.${versionKey}.${version}.${partsDigest}`;
        const html = await get(fragmentKey);
        roundTrips++;
        if (html !== undefined) {
          fragments.set(comment.id, html);
          hits++;
          continue;
        }
        // The template reads comment.likes.count and comment.dislikes.count while rendering a miss.
        comment.likes = await models.Vote.count({ where: { commentId: comment.id, value: 1 } });
        comment.dislikes = await models.Vote.count({ where: { commentId: comment.id, value: -1 } });
        missedKeys.set(comment.id, fragmentKey);
      }
      const misses = comments.length - hits;
      const stats = { ...createStats(), hits, misses, renders: misses, roundTrips };
      const locals = {
        title: article.title,
        article,
        comments,
        visitor: BENCH_VISITOR,
        cacheStats: stats,
        cacheTotals: stats,
        cacheBackend: 'memcached (django-cache-sweeper)',
      };
      const body = templates.show(locals).trim();
      const html = templates.layout({ ...locals, body }).trim();
      // Django sets each missed fragment inline, before the response.
      for (const [key, value] of stores) {
        await set(key, value);
        stats.roundTrips++;
        stats.stores++;
      }
      return { pieces: [Buffer.from(html)], html, body, stats, liveStats: stats };
    },
    close: () => client.end(),
  };
}
