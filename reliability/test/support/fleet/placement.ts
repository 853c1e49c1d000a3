import { versionKey } from '@cachesweeper/core';
import type { Fleet } from './fleet';

/**
 * The comments of `articleId` whose version counter lives on server `server` alone,
 * found by asking every server for every counter (the pages must have been read, so
 * that the counters exist): what a cut link to that server hides from one process.
 */
export async function commentsLivingOn(fleet: Fleet, server: number, articleId: number): Promise<number[]> {
  const { namespace } = (await fleet.stats())[0]!;
  const comments = await fleet.reference.blog.models.Comment.findAll({
    attributes: ['id'],
    where: { articleId },
    order: [['id', 'ASC']],
    raw: true,
  });
  const keys = new Map(comments.map((comment) => [versionKey(namespace, 'Comment', comment.id), comment.id]));
  const places = await fleet.locate([...keys.keys()]);
  return [...keys].flatMap(([key, id]) => {
    const servers = places.get(key) ?? [];
    return servers.length === 1 && servers[0] === server ? [id] : [];
  });
}
