import { blockError } from '../location';

/** The parts of a Sequelize instance (any ORM row with prototype getters) that give one away. */
interface InstanceLike {
  readonly dataValues: object;
  get(name: string): unknown;
  readonly constructor: { readonly name: string; readonly primaryKeyAttributes?: unknown };
}

/**
 * Throws when a block is about to render Sequelize instances as its data. Handlebars
 * refuses their attributes (prototype getters) unless the render allows prototype
 * access: the block would render empty — an empty list, blank fields — and be cached
 * so. Looks at the value, the items of an array, and one level of a plain object's
 * properties (`{ article, comments: [...] }`), which is where loaders put rows.
 */
export function checkTemplateData(value: unknown, where: string, what: string): void {
  const found = findInstance(value, '');
  if (found === undefined) return;
  const [path, model] = found;
  throw blockError(
    where,
    `${what}${path} is a Sequelize instance (${model}), whose attributes Handlebars does not read (they are prototype getters): the block would render empty and be cached so. Pass plain data: installation.toTemplateData(value) (or toTemplateData(value, sweeper)) from @cachesweeper/sequelize, in the context or from the loader`,
  );
}

function findInstance(value: unknown, path: string, depth = 0): [path: string, model: string] | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (isInstance(value)) return [path, value.constructor.name];
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const item = value[index];
      if (item !== null && typeof item === 'object' && isInstance(item))
        return [`${path}[${index}]`, item.constructor.name];
    }
    return undefined;
  }
  const prototype = Object.getPrototypeOf(value);
  if (depth > 0 || (prototype !== Object.prototype && prototype !== null)) return undefined;
  for (const [key, property] of Object.entries(value)) {
    const found = findInstance(property, `${path}.${key}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function isInstance(value: object): value is InstanceLike {
  const candidate = value as Partial<InstanceLike>;
  return (
    typeof candidate.get === 'function' &&
    candidate.dataValues !== null &&
    typeof candidate.dataValues === 'object' &&
    Array.isArray(candidate.constructor?.primaryKeyAttributes)
  );
}
