import type { BlogModels } from './models';

/** How much the seed writes. */
export interface SeedSize {
  /** Articles to create. */
  readonly articles: number;
  /** Comments on each article (the first article gets `firstArticleComments`). */
  readonly commentsPerArticle: number;
  /** Comments on the first article, for a page that shows what caching buys. */
  readonly firstArticleComments: number;
  /** Most votes per comment. */
  readonly maxVotesPerComment: number;
}

/** The seed the blog starts with. */
export const DEFAULT_SEED: SeedSize = {
  articles: 6,
  commentsPerArticle: 8,
  firstArticleComments: 40,
  maxVotesPerComment: 6,
};

const AUTHORS = ['Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Edsger', 'Frances'];
const TOPICS = ['caching', 'invalidation', 'memcached', 'transactions', 'templates', 'queries', 'latency', 'tokens'];

/** A small deterministic generator, so every seeded blog looks the same. */
function sequence(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state % below;
  };
}

/** Fills an empty database with articles, comments and votes; does nothing when articles exist. */
export async function seedIfEmpty(models: BlogModels, size: SeedSize = DEFAULT_SEED): Promise<boolean> {
  if ((await models.Article.count()) > 0) return false;
  const next = sequence(7);
  for (let index = 0; index < size.articles; index++) {
    const topic = TOPICS[index % TOPICS.length];
    const article = await models.Article.create({
      title: `Notes on ${topic} #${index + 1}`,
      body: `What we learned about ${topic} while porting django-cache-sweeper to Node. `.repeat(3).trim(),
    });
    const count = index === 0 ? size.firstArticleComments : size.commentsPerArticle;
    const comments = await models.Comment.bulkCreate(
      Array.from({ length: count }, (_, position) => ({
        articleId: article.id,
        author: AUTHORS[next(AUTHORS.length)] ?? 'Ada',
        body: `Comment ${position + 1} on ${topic}: ${TOPICS[next(TOPICS.length)]} matters <more> than you think & so do "quotes".`,
      })),
    );
    const votes = comments.flatMap((comment) =>
      Array.from({ length: next(size.maxVotesPerComment + 1) }, () => ({
        commentId: comment.id,
        value: (next(3) === 0 ? -1 : 1) as 1 | -1,
      })),
    );
    await models.Vote.bulkCreate(votes);
  }
  return true;
}
