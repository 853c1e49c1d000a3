import { col, fn } from 'sequelize';
import { batchLoader } from './batch';
import type { BlogModels } from './models';

/** A comment as its cached fragment shows it. */
export interface CommentView {
  readonly id: number;
  readonly articleId: number;
  readonly author: string;
  readonly body: string;
  readonly likes: number;
  readonly dislikes: number;
}

/** Likes and dislikes of each comment in `ids`, in one grouped query. */
export async function voteCounts(
  models: BlogModels,
  ids: readonly number[],
): Promise<Map<number, { likes: number; dislikes: number }>> {
  const counts = new Map(ids.map((id) => [id, { likes: 0, dislikes: 0 }]));
  if (ids.length === 0) return counts;
  const rows = (await models.Vote.findAll({
    attributes: ['commentId', 'value', [fn('COUNT', col('id')), 'total']],
    where: { commentId: [...ids] },
    group: ['commentId', 'value'],
    raw: true,
  })) as unknown as { commentId: number; value: number; total: number | string }[];
  for (const row of rows) {
    const entry = counts.get(Number(row.commentId));
    if (!entry) continue;
    if (Number(row.value) > 0) entry.likes = Number(row.total);
    else entry.dislikes = Number(row.total);
  }
  return counts;
}

/** Comments with their vote counts, by id, in two queries. */
export async function loadComments(models: BlogModels, ids: readonly number[]): Promise<Map<number, CommentView>> {
  const [comments, counts] = await Promise.all([
    models.Comment.findAll({ where: { id: [...ids] }, raw: true }),
    voteCounts(models, ids),
  ]);
  return new Map(
    comments.map((comment) => {
      const votes = counts.get(comment.id) ?? { likes: 0, dislikes: 0 };
      const view: CommentView = {
        id: comment.id,
        articleId: comment.articleId,
        author: comment.author,
        body: comment.body,
        ...votes,
      };
      return [comment.id, view];
    }),
  );
}

/** The ids of an article's comments, oldest first. */
export async function commentIdsOf(models: BlogModels, articleId: number): Promise<number[]> {
  const rows = await models.Comment.findAll({
    attributes: ['id'],
    where: { articleId },
    order: [['id', 'ASC']],
    raw: true,
  });
  return rows.map((row) => row.id);
}

/** The ids of every article, oldest first. */
export async function articleIdsInOrder(models: BlogModels): Promise<number[]> {
  const rows = await models.Article.findAll({ attributes: ['id'], order: [['id', 'ASC']], raw: true });
  return rows.map((row) => row.id);
}

/** Comment counts of several articles, in one query. */
export async function commentCounts(models: BlogModels, articleIds: readonly number[]): Promise<Map<number, number>> {
  const counts = new Map(articleIds.map((id) => [id, 0]));
  const rows = (await models.Comment.findAll({
    attributes: ['articleId', [fn('COUNT', col('id')), 'total']],
    where: { articleId: [...articleIds] },
    group: ['articleId'],
    raw: true,
  })) as unknown as { articleId: number; total: number | string }[];
  for (const row of rows) counts.set(Number(row.articleId), Number(row.total));
  return counts;
}

/** An article as its page shows it. */
export interface ArticleView {
  readonly id: number;
  readonly title: string;
  readonly body: string;
}

/** Articles by id, in one query. */
export async function loadArticles(models: BlogModels, ids: readonly number[]): Promise<Map<number, ArticleView>> {
  const rows = await models.Article.findAll({
    attributes: ['id', 'title', 'body'],
    where: { id: [...ids] },
    raw: true,
  });
  return new Map(rows.map((row) => [row.id, { id: row.id, title: row.title, body: row.body }]));
}

/** Per-request loaders that batch the reads of one nesting level into one query each. */
export function requestLoaders(models: BlogModels) {
  const article = batchLoader((ids: readonly number[]) => loadArticles(models, ids));
  const comment = batchLoader((ids: readonly number[]) => loadComments(models, ids));
  const commentCount = batchLoader((ids: readonly number[]) => commentCounts(models, ids));
  return { article, comment, commentCount };
}
