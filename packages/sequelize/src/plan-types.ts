/**
 * The shapes a rule compiles to, shared by the hooks, the path walk and the rule
 * checks. Imports nothing of this package, so any file may use them without a cycle.
 */
import type { TokenSpec } from '@cachesweeper/core';
import type { Model, ModelStatic } from 'sequelize';

/** A row's values by attribute name, as read from an instance or a raw query. */
export type Row = Readonly<Record<string, unknown>>;

/** One step of a rule's paths: a belongsTo association, and the paths that continue from its target. */
export interface PathNode {
  /** The path from the written model to this node, e.g. `comment.article`. */
  readonly path: string;
  /** The association's alias (the path's last step), under which a source instance may carry the row. */
  readonly alias: string;
  /** The attribute on the source row that holds the target's key. */
  readonly foreignKey: string;
  /** The target model. */
  readonly target: ModelStatic<Model>;
  /** The attribute of the target row the foreign key refers to. */
  readonly targetKey: string;
  /** Whether the rule lists this path itself (rather than only passing through it). */
  readonly invalidates: boolean;
  /** Attributes to read from target rows: primary keys, the target key and the next steps' foreign keys. */
  readonly rowAttributes: readonly string[];
  /** Whether the target's primary key is the foreign key's value itself, so no query is needed. */
  readonly direct: boolean;
  /** The target's attributes naming the rows it lives within (its rule's `within`), read with its rows. */
  readonly within: readonly string[];
  /** The SELECT of `rowAttributes` by target key (`:keys`), built once; unused when `direct`. */
  readonly select: string;
  /** The paths that continue from here. */
  readonly children: readonly PathNode[];
}

/** A rule checked against its model: everything a hook needs to turn a write into invalidations. */
export interface ModelPlan {
  /** The model name. */
  readonly model: string;
  /** The model class the plan was made from. */
  readonly modelClass: ModelStatic<Model>;
  /** How the model's token is kept, as declared on the sweeper (core's spec: `using`, `counter`, `generation`). */
  readonly spec: TokenSpec;
  /** The primary key attributes. */
  readonly primaryKeys: readonly string[];
  /** The foreign keys the paths start from. */
  readonly foreignKeys: readonly string[];
  /** Attributes to read from written rows: primary keys, foreign keys and the `within` attributes. */
  readonly rowAttributes: readonly string[];
  /** The attributes naming the rows this model's rows live within (the rule's `within`). */
  readonly within: readonly string[];
  /** The rule's paths as a tree. */
  readonly tree: readonly PathNode[];
  /** The models the paths invalidate. */
  readonly reach: readonly string[];
  /** The model's updatedAt attribute, when it keeps timestamps. */
  readonly updatedAt: string | undefined;
  /** Whether destroy only marks rows deleted. */
  readonly paranoid: boolean;
}

/** The `within` attributes of `row` (`{ articleId: 7 }`), or `undefined` when the model declares none. */
export function withinOf(row: Row, attributes: readonly string[]): Row | undefined {
  if (attributes.length === 0) return undefined;
  const picked: Record<string, unknown> = {};
  for (const name of attributes) picked[name] = row[name];
  return picked;
}
