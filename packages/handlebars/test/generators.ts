import fc from 'fast-check';

/*
 * Random templates over a random tree of rows render the same uncached, cold-cached
 * and warm-cached. Every cached block is keyed by `this`, a row with a unique id, and
 * loops only walk down the tree, so a row determines everything a block around it
 * can show (@index, @key, ../, block params): the templates are keyed correctly, and
 * any difference is the cache's fault. (`@../index` is left out: Handlebars resolves
 * it by counting data frames, which partial blocks add, so the same row can show two
 * values; render.test.ts covers it on its own.)
 */

export interface Node {
  model: 'Node';
  id: number;
  name: string;
  html: string;
  flag: boolean;
  tags: Record<string, string>;
  children: Node[];
  title?: string;
}

/** A generated row, before ids are given. */
interface Generated {
  model: 'Node';
  name: string;
  html: string;
  flag: boolean;
  tags: Record<string, string>;
  children: Generated[];
}

interface Scope {
  /** Block params visible here: [item, index] names of enclosing `each … as |c i|`. */
  readonly params: readonly string[];
  /** Whether partials may be called (not inside partials, so nothing recurses). */
  readonly partials: boolean;
  /** Nesting of `each` loops, to name block params uniquely. */
  readonly loops: number;
}

const TEXT = fc.constantFrom('a', ' ', '\n', '  ', '<i>', '&', '"', "'", '=', '`', '\n  ', 'x\n', '\t');
const CHARS = fc.constantFrom('a', 'b', '<', '>', '&', '"', "'", '`', '=', ' ', '\n', 'é', '{', '}');
export const STRING = fc.string({ unit: CHARS, maxLength: 6 });

function leaf(scope: Scope): fc.Arbitrary<string> {
  const mustaches = [
    '{{name}}',
    '{{{name}}}',
    '{{html}}',
    '{{id}}',
    '{{@root.title}}',
    '{{../name}}',
    '{{@index}}',
    '{{@first}}',
    '{{@last}}',
    '{{@key}}',
    '{{!-- note --}}',
    '{{#each tags}}[{{@key}}={{this}}:{{@index}}{{#if @last}}.{{/if}}]{{/each}}',
    ...scope.params.map((param) => (param.startsWith('c') ? `{{${param}.name}}` : `{{${param}}}`)),
  ];
  return fc.oneof({ arbitrary: TEXT, weight: 3 }, { arbitrary: fc.constantFrom(...mustaches), weight: 3 });
}

function statements(scope: Scope, depth: number): fc.Arbitrary<string> {
  return fc.array(statement(scope, depth), { maxLength: depth > 0 ? 4 : 3 }).map((parts) => parts.join(''));
}

function statement(scope: Scope, depth: number): fc.Arbitrary<string> {
  if (depth === 0) return leaf(scope);
  const inner = statements(scope, depth - 1);
  const loop: Scope = { ...scope, loops: scope.loops + 1 };
  const item = `c${scope.loops}`;
  const index = `i${scope.loops}`;
  const withParams: Scope = { ...loop, params: [...scope.params, item, index] };
  const composites: fc.Arbitrary<string>[] = [
    fc.tuple(inner, statements(scope, depth - 1)).map(([yes, no]) => `{{#if flag}}${yes}{{else}}${no}{{/if}}`),
    statements(loop, depth - 1).map((body) => `{{#each children}}${body}{{/each}}`),
    statements(withParams, depth - 1).map((body) => `{{#each children as |${item} ${index}|}}${body}{{/each}}`),
    fc
      .tuple(
        inner,
        fc.constantFrom('{{#', '{{~#'),
        fc.constantFrom('}}', '~}}'),
        fc.constantFrom('{{/', '{{~/'),
        fc.constantFrom('}}', '~}}'),
      )
      .map(
        ([body, open, openEnd, close, closeEnd]) =>
          `${open}cachesweeper this 60 "k"${openEnd}${body}${close}cachesweeper${closeEnd}`,
      ),
    inner.map((body) => `{{#cachesweeper this 60 as |t|}}{{t.name}}${body}{{/cachesweeper}}`),
    inner.map((body) => `\n{{#cachesweeper this 60}}\n${body}\n{{/cachesweeper}}\n`),
  ];
  if (scope.partials) {
    composites.push(
      fc.constantFrom('p0', 'p1').map((name) => `{{> ${name}}}`),
      fc
        .tuple(fc.constantFrom('p0', 'p1'), fc.constantFrom('', ' ', '  ', '\t'))
        .map(([name, indent]) => `\n${indent}{{> ${name}}}\n`),
      inner.map((body) => `{{#> pb}}${body}{{/pb}}`),
    );
  }
  return fc.oneof({ arbitrary: leaf(scope), weight: 2 }, ...composites.map((arbitrary) => ({ arbitrary, weight: 1 })));
}

const partialScope: Scope = { params: [], partials: false, loops: 0 };
export const PARTIALS = fc.record({
  p0: statements(partialScope, 2),
  p1: statements(partialScope, 2),
  pb: fc.constantFrom(
    '<pb>{{> @partial-block}}</pb>',
    '{{#cachesweeper this 60 "pb"}}<pb>{{name}}{{> @partial-block}}</pb>{{/cachesweeper}}',
    '\n  {{#cachesweeper this 60}}\n  {{> @partial-block}}\n  {{/cachesweeper}}\n',
  ),
});
export const TEMPLATE = statements({ params: [], partials: true, loops: 0 }, 3);

function nodeOf(depth: number): fc.Arbitrary<Generated> {
  return fc.record({
    model: fc.constant('Node' as const),
    name: STRING,
    html: STRING,
    flag: fc.boolean(),
    tags: fc.dictionary(fc.constantFrom('a', 'b', 'c'), STRING, { maxKeys: 2 }),
    children: depth === 0 ? fc.constant([]) : fc.array(nodeOf(depth - 1), { maxLength: 3 }),
  });
}
export const TREE = nodeOf(3);

/** The tree with unique ids, and every row with its ancestors, in depth-first order. */
export function numbered(root: Generated, title: string) {
  const rows: { row: Node; ancestors: Node[] }[] = [];
  const visit = (item: Generated, ancestors: Node[]): Node => {
    const row = { ...item, id: rows.length, children: [] as Node[] } as Node;
    rows.push({ row, ancestors });
    row.children = item.children.map((child) => visit(child, [...ancestors, row]));
    return row;
  };
  const tree = visit(root, []);
  tree.title = title;
  return { tree, rows };
}

/** The rows whose blocks can show `changed`: itself, its ancestors (their blocks hold it) and its descendants (theirs reach it with ../). */
export function affectedBy(
  rows: readonly { row: Node; ancestors: Node[] }[],
  changed: { row: Node; ancestors: Node[] },
): Node[] {
  const descendants = rows.filter((entry) => entry.ancestors.includes(changed.row)).map((entry) => entry.row);
  return [changed.row, ...changed.ancestors, ...descendants];
}
