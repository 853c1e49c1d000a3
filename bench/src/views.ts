import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Handlebars from 'handlebars';
import { panelHelpers } from '../../examples/blog/src/web/panel-helpers';

/** The blog's own view files: the article page, its layout and its partial. */
export const BLOG_VIEWS = join(import.meta.dirname, '../../examples/blog/views');

/** The article page's templates, compiled by one Handlebars instance. */
export interface ArticleTemplates {
  readonly show: Handlebars.TemplateDelegate;
  readonly layout: Handlebars.TemplateDelegate;
}

const read = (path: string) => readFileSync(join(BLOG_VIEWS, path), 'utf8');

/**
 * Compiles the blog's article page (`articles/show.hbs`, `layouts/main.hbs`, the
 * `comment-form` partial) with `handlebars`, as express-handlebars would, with the
 * helpers its cache panel uses.
 */
export function compileArticleTemplates(handlebars: typeof Handlebars): ArticleTemplates {
  handlebars.registerHelper(panelHelpers);
  handlebars.registerPartial('comment-form', read('partials/comment-form.hbs'));
  return {
    show: handlebars.compile(read('articles/show.hbs')),
    layout: handlebars.compile(read('layouts/main.hbs')),
  };
}

/** The visitor every measured page is rendered for (per-user parts sit outside the cached blocks). */
export const BENCH_VISITOR = Object.freeze({
  id: 'bench-visitor-000000000',
  csrfToken: 'bench-csrf-token',
  name: undefined,
});
