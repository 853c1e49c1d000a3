import { type Sweeper, TARGET_META, type TargetMeta } from '@cachesweeper/core';
import type { Model } from 'sequelize';
import { primaryKeyOf } from './key-values';
import { isInstance, modelOf } from './sequelize-shapes';

/** What `toTemplateData` makes of a value: instances become plain objects, recursively. */
export type TemplateData<T> = T extends Model
  ? Record<string, unknown>
  : T extends readonly (infer E)[]
    ? TemplateData<E>[]
    : T;

/**
 * Turns Sequelize instances (alone, in arrays, with included associations) into plain
 * objects a template engine may read: Handlebars refuses Sequelize's prototype getters
 * by default. Each object is marked with core's `TARGET_META` (model, primary key and,
 * given the sweeper, its token attribute as loaded), so a cache helper can key a
 * fragment on it without the instance. Other values are returned as they are.
 *
 * @example
 * const article = await Article.findByPk(id, { include: ['comments'] });
 * res.render('article', { article: toTemplateData(article, sweeper) });
 */
export function toTemplateData<T>(value: T, sweeper?: Sweeper): TemplateData<T> {
  return convert(value, sweeper) as TemplateData<T>;
}

function convert(value: unknown, sweeper: Sweeper | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => convert(item, sweeper));
  if (!isInstance(value)) return value;
  const model = modelOf(value);
  const data: Record<string | symbol, unknown> = {};
  // get() applies custom getters and virtual attributes, and keeps included rows as instances.
  const attributes = value.get() as Record<string, unknown>;
  for (const [name, attribute] of Object.entries(attributes)) {
    data[name] = convert(attribute, sweeper);
  }
  const id = primaryKeyOf(model, attributes);
  if (id !== undefined) {
    const using = sweeper?.tokenSpec(model.name).using;
    const meta: TargetMeta =
      using !== undefined && using in value.dataValues
        ? { model: model.name, id, attributes: { [using]: value.get(using) } }
        : { model: model.name, id };
    data[TARGET_META] = meta;
  }
  return data;
}
