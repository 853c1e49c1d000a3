import { type Request, type Response, Router } from 'express';
import type { RouteContext } from '../app';
import { type FormResult, isValid, parseId, readArticleForm, readCommentForm } from '../web/forms';
import { pageLoaders } from '../web/page-loaders';
import { rememberAuthor, requireCsrfToken } from '../web/visitor';

/** The article list, the article page (with the add-comment form) and the edit form. */
export function articleRoutes({ models, installation, loaders }: RouteContext): Router {
  const router = Router();
  const notFound = (response: Response, id: unknown) =>
    response
      .status(404)
      .render('not-found', { title: 'Not found', message: `There is no article ${JSON.stringify(id)}.` });

  /** Loads the article row: its updatedAt is the page's token, so it is read on every view (one query by key). */
  const findArticle = async (request: Request) => {
    const id = parseId(request.params.id);
    return id === undefined ? null : models.Article.findByPk(id);
  };

  const showArticle = async (
    response: Response,
    article: InstanceType<typeof models.Article>,
    form?: FormResult<object>,
  ) => {
    response.render('articles/show', {
      title: article.title,
      article: installation.toTemplateData(article),
      loaders: pageLoaders(models, loaders),
      form,
    });
  };

  router.get('/', async (_request, response) => {
    const articles = await models.Article.findAll({ order: [['id', 'ASC']] });
    response.render('articles/index', {
      title: 'Articles',
      articles: installation.toTemplateData(articles),
      loaders: pageLoaders(models, loaders),
    });
  });

  router.get('/articles/:id', async (request, response) => {
    const article = await findArticle(request);
    if (!article) return notFound(response, request.params.id);
    await showArticle(response, article);
  });

  router.post('/articles/:id/comments', requireCsrfToken, async (request, response) => {
    const article = await findArticle(request);
    if (!article) return notFound(response, request.params.id);
    const form = readCommentForm(request.body);
    if (!isValid(form)) {
      response.status(400);
      return showArticle(response, article, form);
    }
    const comment = await models.Comment.create({ articleId: article.id, ...form.values });
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
    await article.update(form.values);
    response.redirect(303, `/articles/${article.id}`);
  });

  return router;
}
