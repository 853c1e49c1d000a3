import {
  type CreationOptional,
  DataTypes,
  type InferAttributes,
  type InferCreationAttributes,
  Model,
  type Sequelize,
} from 'sequelize';

/** A blog article; its pages are keyed by its counter, which its saves, its comments and their votes bump. */
export class Article extends Model<InferAttributes<Article>, InferCreationAttributes<Article>> {
  declare id: CreationOptional<number>;
  declare title: string;
  declare body: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/** A comment on an article. */
export class Comment extends Model<InferAttributes<Comment>, InferCreationAttributes<Comment>> {
  declare id: CreationOptional<number>;
  declare articleId: number;
  declare author: string;
  declare body: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/** A like (+1) or dislike (-1) of a comment. */
export class Vote extends Model<InferAttributes<Vote>, InferCreationAttributes<Vote>> {
  declare id: CreationOptional<number>;
  declare commentId: number;
  declare value: 1 | -1;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/** The blog's models on one Sequelize instance. */
export interface BlogModels {
  readonly Article: typeof Article;
  readonly Comment: typeof Comment;
  readonly Vote: typeof Vote;
}

/**
 * Defines the models on `sequelize`. Each call defines fresh subclasses, so two
 * Sequelize instances (tests, benchmarks) never share model classes.
 */
export function defineModels(sequelize: Sequelize): BlogModels {
  class BlogArticle extends Article {}
  class BlogComment extends Comment {}
  class BlogVote extends Vote {}
  const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true };
  const timestamps = { createdAt: DataTypes.DATE, updatedAt: DataTypes.DATE };
  BlogArticle.init(
    {
      id,
      title: { type: DataTypes.STRING(200), allowNull: false },
      body: { type: DataTypes.TEXT, allowNull: false },
      ...timestamps,
    },
    { sequelize, modelName: 'Article' },
  );
  BlogComment.init(
    {
      id,
      articleId: { type: DataTypes.INTEGER, allowNull: false },
      author: { type: DataTypes.STRING(80), allowNull: false },
      body: { type: DataTypes.TEXT, allowNull: false },
      ...timestamps,
    },
    { sequelize, modelName: 'Comment', indexes: [{ fields: ['articleId'] }] },
  );
  BlogVote.init(
    {
      id,
      commentId: { type: DataTypes.INTEGER, allowNull: false },
      value: { type: DataTypes.INTEGER, allowNull: false, validate: { isIn: [[1, -1]] } },
      ...timestamps,
    },
    { sequelize, modelName: 'Vote', indexes: [{ fields: ['commentId', 'value'] }] },
  );
  BlogArticle.hasMany(BlogComment, { foreignKey: 'articleId', as: 'comments' });
  BlogComment.belongsTo(BlogArticle, { foreignKey: 'articleId', as: 'article' });
  BlogComment.hasMany(BlogVote, { foreignKey: 'commentId', as: 'votes' });
  BlogVote.belongsTo(BlogComment, { foreignKey: 'commentId', as: 'comment' });
  return { Article: BlogArticle, Comment: BlogComment, Vote: BlogVote };
}
