import { PAGE_AS_BYTES, type PageBody, sendPage } from '@cachesweeper/handlebars';
import { type NextFunction, type Request, type Response, Router } from 'express';
import type { RouteContext } from '../app';
import { type FormResult, isValid, parseId, readArticleForm, readCommentForm } from '../web/forms';
import { pageLoaders } from '../web/page-loaders';
import { rememberAuthor, requireCsrfToken } from '../web/visitor';

/** The article list, the article page (with the add-comment form) and the edit form. */
export function articleRoutes({ sequelize, models, loaders }: RouteContext): Router {
  const router = Router();
  const notFound = (response: Response, id: unknown) =>
    response
      .status(404)
      .render('not-found', { title: 'Not found', message: `There is no article ${JSON.stringify(id)}.` });

  /** Loads the article row (the edit form and the comment form's POST need it; the page does not). */
  const findArticle = async (request: Request) => {
    const id = parseId(request.params.id);
    return id === undefined ? null : models.Article.findByPk(id);
  };

  /**
   * Renders the article page. It runs no query of its own: the page's block is keyed by
   * the article's counter (a reference, `{ model, id }`, is all it needs), and what the
   * layout and this route need of the row (its title; whether it exists) comes from the
   * block's exports, stored with it. Answers 404 when the article does not exist.
   */
  const showArticle = (response: Response, next: NextFunction, id: number, form?: FormResult<object>) => {
    const pageExports: { title?: unknown; missing?: unknown } = {};
    response.render(
      'articles/show',
      // The page comes back as bytes: its cached fragments' UTF-8 is encoded once, not per response.
      {
        article: { model: 'Article', id },
        loaders: pageLoaders(models, loaders),
        form,
        pageExports,
        [PAGE_AS_BYTES]: true,
      },
      (error: Error | null, page: string | PageBody) => {
        if (error) return next(error);
        if (pageExports.missing === true) return notFound(response, id);
        sendPage(response, page);
      },
    );
  };

  /**
   * The article list. It runs no query of its own: the list's block is keyed on the Article
   * model as a whole (`{ model: 'Article' }`), and its loader reads the articles' ids on a miss.
   */
  router.get('/', (_request, response) => {
    response.render('articles/index', {
      title: 'Articles',
      allArticles: { model: 'Article' },
      loaders: pageLoaders(models, loaders),
    });
  });

  router.get('/articles/:id', (request, response, next) => {
    const id = parseId(request.params.id);
    if (id === undefined) return notFound(response, request.params.id);
    showArticle(response, next, id);
  });

  router.post('/articles/:id/comments', requireCsrfToken, async (request, response, next) => {
    const article = await findArticle(request);
    if (!article) return notFound(response, request.params.id);
    const form = readCommentForm(request.body);
    if (!isValid(form)) {
      response.status(400);
      return showArticle(response, next, article.id, form);
    }
    const comment = await sequelize.transaction((transaction) =>
      models.Comment.create({ articleId: article.id, ...form.values }, { transaction }),
    );
    rememberAuthor(response, form.values.author);
    response.redirect(303, `/articles/${article.id}#comment-${comment.id}`);
  });

  router.get('/articles/:id/edit', async (request, response) => {
    const article = await findArticle(request);
    if (!article) return notFound(response, request.params.id);
    response.render('articles/edit', {
      title: `Edit ${article.title}`,
      article: article.get({ plain: true }),
      form: { values: { title: article.title, body: article.body }, errors: {} },
    });
  });

  router.post('/articles/:id/edit', requireCsrfToken, async (request, response) => {
    const article = await findArticle(request);
    if (!article) return notFound(response, request.params.id);
    const form = readArticleForm(request.body);
    if (!isValid(form)) {
      return response
        .status(400)
        .render('articles/edit', { title: `Edit ${article.title}`, article: article.get({ plain: true }), form });
    }
    await sequelize.transaction((transaction) => article.update(form.values, { transaction }));
    response.redirect(303, `/articles/${article.id}`);
  });

  return router;
}
