import { Router } from 'express';
import type { RouteContext } from '../app';
import { parseId } from '../web/forms';
import { requireCsrfToken } from '../web/visitor';

/** Like and Dislike: one vote row each; the installer invalidates the comment and its article. */
export function commentRoutes({ sequelize, models }: RouteContext): Router {
  const router = Router();
  for (const [action, value] of [
    ['like', 1],
    ['dislike', -1],
  ] as const) {
    router.post(`/comments/:id/${action}`, requireCsrfToken, async (request, response) => {
      const id = parseId(request.params.id);
      const comment = id === undefined ? null : await models.Comment.findByPk(id, { attributes: ['id', 'articleId'] });
      if (!comment) {
        response.status(404).render('not-found', {
          title: 'Not found',
          message: `There is no comment ${JSON.stringify(request.params.id)}.`,
        });
        return;
      }
      // The vote's rule names only its comment, whose id the vote holds: the installer runs no query.
      // The article page is invalidated through its contents counter (WITHIN on, the default: the
      // comment loaded here carries the articleId that needs, so the installer still runs no query)
      // or, with WITHIN=off, through the comment fragment nested in it (see rules.ts).
      // In a transaction, the outbox row is one more statement of it, and a crash after COMMIT loses nothing.
      await sequelize.transaction((transaction) =>
        models.Vote.create({ commentId: comment.id, value }, { transaction, cachesweeper: { loaded: [comment] } }),
      );
      response.redirect(303, `/articles/${comment.articleId}#comment-${comment.id}`);
    });
  }
  return router;
}
