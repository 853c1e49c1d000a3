import type { Sweeper } from '@cachesweeper/core';
import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import type { SweeperRules } from '../../src';

/** django-cache-sweeper's example: an article has many comments, a comment has many votes. */
export const BLOG_RULES: SweeperRules = {
  Article: { using: 'updatedAt' },
  Comment: { invalidates: ['article'] },
  Vote: { invalidates: ['comment', 'comment.article'] },
};

/** The blog's models. */
export interface BlogModels {
  readonly Article: ModelStatic<Model>;
  readonly Comment: ModelStatic<Model>;
  readonly Vote: ModelStatic<Model>;
}

/** Defines Article, Comment (paranoid) and Vote with their associations. */
export function defineBlog(sequelize: Sequelize): BlogModels {
  const Article = sequelize.define('Article', {
    title: DataTypes.STRING,
    slug: { type: DataTypes.STRING, unique: true },
  });
  const Comment = sequelize.define('Comment', { body: DataTypes.STRING }, { paranoid: true });
  const Vote = sequelize.define('Vote', { value: { type: DataTypes.INTEGER, defaultValue: 1 } });
  associateBlog({ Article, Comment, Vote });
  return { Article, Comment, Vote };
}

/** The associations the rules' paths follow (and their inverses, for renders). */
export function associateBlog({ Article, Comment, Vote }: BlogModels): void {
  Comment.belongsTo(Article, { as: 'article', foreignKey: 'articleId' });
  Article.hasMany(Comment, { as: 'comments', foreignKey: 'articleId' });
  Vote.belongsTo(Comment, { as: 'comment', foreignKey: 'commentId' });
  Comment.hasMany(Vote, { as: 'votes', foreignKey: 'commentId' });
}

/**
 * The blog's pages, rendered through real fragments: each render loads its data
 * inside the render function (after the sweeper read the token), and counts itself,
 * so a test can tell a cached fragment from a re-rendered one, and compare either
 * with an uncached rendering.
 */
export class BlogPages {
  /** Renders per fragment, e.g. `Article#1`, `Comment#2`. */
  readonly renders = new Map<string, number>();
  readonly #models: BlogModels;
  readonly #sweeper: Sweeper;

  constructor(models: BlogModels, sweeper: Sweeper) {
    this.#models = models;
    this.#sweeper = sweeper;
  }

  /** The article page (cached), keyed by the article row as loaded (its updatedAt). */
  async article(id: number): Promise<string> {
    const article = await this.#models.Article.findByPk(id);
    if (article === null) return 'no such article';
    const html = await this.#sweeper.fragment(article, 0, ['article'], () => this.#counted(`Article#${id}`, id, 'a'));
    await this.#sweeper.idle();
    return html;
  }

  /** One comment's fragment (cached), keyed by its counter: no row needed. */
  async comment(id: number): Promise<string> {
    const html = await this.#sweeper.fragment({ model: 'Comment', id }, 0, ['comment'], () =>
      this.#counted(`Comment#${id}`, id, 'c'),
    );
    await this.#sweeper.idle();
    return html;
  }

  /** The article page, rendered from the database now. */
  uncachedArticle(id: number): Promise<string> {
    return this.#articleHtml(id);
  }

  /** The comment fragment, rendered from the database now. */
  uncachedComment(id: number): Promise<string> {
    return this.#commentHtml(id);
  }

  /** How many times a fragment was rendered. */
  count(key: string): number {
    return this.renders.get(key) ?? 0;
  }

  #counted(key: string, id: number, kind: 'a' | 'c'): Promise<string> {
    this.renders.set(key, this.count(key) + 1);
    return kind === 'a' ? this.#articleHtml(id) : this.#commentHtml(id);
  }

  async #articleHtml(id: number): Promise<string> {
    const { Article, Comment } = this.#models;
    const article = await Article.findByPk(id);
    if (article === null) return 'no such article';
    const comments = await Comment.findAll({ where: { articleId: id }, order: [['id', 'ASC']] });
    const lines = await Promise.all(comments.map((comment) => this.#commentHtml(comment.get('id') as number)));
    return `<h1>${article.get('title')}</h1><ul>${lines.join('')}</ul>`;
  }

  async #commentHtml(id: number): Promise<string> {
    const { Comment, Vote } = this.#models;
    const comment = await Comment.findByPk(id, { paranoid: false });
    if (comment === null) return `<li>#${id} gone</li>`;
    const votes = (await Vote.sum('value', { where: { commentId: id } })) ?? 0;
    const deleted = comment.get('deletedAt') ? ' (deleted)' : '';
    return `<li>${comment.get('body')}: ${votes} votes${deleted}</li>`;
  }
}

/** Two articles (ids 1, 2) with two comments each (ids 1-4), and one vote on comment 1. */
export async function seedBlog({ Article, Comment, Vote }: BlogModels): Promise<void> {
  // No explicit ids: PostgreSQL would not advance its sequences past them.
  for (const [title, slug] of [
    ['First', 'first'],
    ['Second', 'second'],
  ]) {
    await Article.create({ title, slug });
  }
  for (const [articleId, body] of [
    [1, 'one'],
    [1, 'two'],
    [2, 'three'],
    [2, 'four'],
  ] as const) {
    await Comment.create({ articleId, body });
  }
  await Vote.create({ commentId: 1, value: 1 });
}
