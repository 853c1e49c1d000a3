import type { Model } from 'sequelize';
import { canonicalValue, keyIdentity } from './key-values';
import type { PathNode, Row } from './plan-types';

interface NodeIndex {
  /** How many of the rows have been indexed. */
  seen: number;
  /** Usable rows by the identity of their target key. */
  readonly byKey: Map<string, Model>;
}

/**
 * Rows on a rule's paths that the app already holds: passed as
 * `options.cachesweeper.loaded`, or carried by the written instances (and by those rows)
 * as loaded associations (`include`, or assigned: `vote.comment = comment`). A path step
 * takes a row from here instead of querying when the row is of the step's model, its key
 * equals the foreign key the step follows, and the attributes the next steps need are
 * loaded and unchanged since (an unsaved change is not what the database holds).
 * Lives for one write.
 *
 * @example
 * const loaded = new LoadedRows(options.cachesweeper?.loaded);
 * loaded.addAssociations(vote, plan.tree); // vote.comment, if included or assigned
 * const comment = loaded.find(commentNode, 4); // undefined: query the comment
 */
export class LoadedRows {
  readonly #rows: Model[] = [];
  readonly #known = new Set<Model>();
  readonly #indexes = new Map<PathNode, NodeIndex>();

  constructor(rows: readonly Model[] = []) {
    for (const row of rows) this.#add(row);
  }

  /** Adds the rows `instance` carries under the aliases of `nodes` (its loaded associations). */
  addAssociations(instance: Model, nodes: readonly PathNode[]): void {
    for (const node of nodes) {
      const associated = associationOf(instance, node.alias);
      if (associated !== undefined) this.#add(associated);
    }
  }

  /** The usable row of `node`'s model whose target key is `key` (canonical), if any. */
  find(node: PathNode, key: unknown): Model | undefined {
    if (this.#rows.length === 0) return undefined;
    let index = this.#indexes.get(node);
    if (index === undefined) {
      index = { seen: 0, byKey: new Map() };
      this.#indexes.set(node, index);
    }
    for (; index.seen < this.#rows.length; index.seen++) {
      const row = this.#rows[index.seen] as Model;
      const identity = usableKey(node, row);
      if (identity !== undefined && !index.byKey.has(identity)) index.byKey.set(identity, row);
    }
    return index.byKey.get(keyIdentity(key));
  }

  #add(row: Model): void {
    if (this.#known.has(row)) return;
    this.#known.add(row);
    this.#rows.push(row);
  }
}

/** The attributes of a usable row that a path step reads (its `rowAttributes`), as stored. */
export function loadedRow(node: PathNode, row: Model): Row {
  return Object.fromEntries(node.rowAttributes.map((name) => [name, row.dataValues[name]]));
}

/** The identity of the row's target key if the row can stand for a query of `node`, else `undefined`. */
function usableKey(node: PathNode, row: Model): string | undefined {
  if (!(row instanceof node.target) || row.isNewRecord) return undefined;
  const values = row.dataValues as Record<string, unknown>;
  for (const name of node.rowAttributes) {
    if (values[name] === undefined || row.changed(name as never)) return undefined;
  }
  const key = values[node.targetKey];
  return key === null ? undefined : keyIdentity(canonicalValue(node.target, node.targetKey, key));
}

/**
 * A single row an instance carries under `alias`: Sequelize keeps an included row both
 * as a property and in `dataValues`; an app that assigns one sets the property.
 */
function associationOf(instance: Model, alias: string): Model | undefined {
  const values = instance.dataValues as Record<string, unknown>;
  const value = Object.hasOwn(values, alias)
    ? values[alias]
    : Object.hasOwn(instance, alias)
      ? (instance as unknown as Record<string, unknown>)[alias]
      : undefined;
  return value !== null && typeof value === 'object' && !Array.isArray(value) && 'dataValues' in value
    ? (value as Model)
    : undefined;
}
