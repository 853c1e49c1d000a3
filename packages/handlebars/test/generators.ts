import fc from 'fast-check';

/*
 * Random templates from the Handlebars grammar, over a random tree of rows, that must
 * render the same uncached and cached. The page context is not a row: it holds the
 * tree (`node`), a title, a loader and what an assign helper writes. Cached blocks are
 * keyed by the row their scope reaches (`this`, or `../this` inside a `#with` over a
 * row's tags) and read anything around them — `../`, `@root`, `@index`, block params,
 * a partial's hash arguments, values an assign helper changed earlier in the render —
 * which their keys must cover: a changed row invalidates only itself and the rows
 * whose data holds it (its ancestors), never the rows that show it through `../`, and
 * the title changes with no invalidation at all. Helpers that rewrite their block
 * (lower-casing, collapsing whitespace), assign to the page, loop with one reused
 * object, and render another compiled template (`render`) are not aware of the cache.
 * (`@../index` is left out: Handlebars resolves it by counting data frames, which
 * partial blocks add, so the same row can show two values; render.test.ts covers it.)
 */

export interface Node {
  model: 'Node';
  id: number;
  name: string;
  html: string;
  flag: boolean;
  tags: Record<string, string>;
  children: Node[];
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
  /** Contexts pushed since the nearest row (`#with tags` pushes a non-row). */
  readonly rowDepth: number;
  /** Inside a cached block (assignments there would change what the page shows around it). */
  readonly cached: boolean;
  /** Whether `{{render this}}` may be used (not in the template it renders). */
  readonly renders: boolean;
}

const TEXT = fc.constantFrom('a', ' ', '\n', '  ', '<i>', '&', '"', "'", '=', '`', '\n  ', 'x\n', '\t', 'B');
const CHARS = fc.constantFrom('a', 'b', 'C', '<', '>', '&', '"', "'", '`', '=', ' ', '\n', 'é', '{', '}');
export const STRING = fc.string({ unit: CHARS, maxLength: 6 });

function leaf(scope: Scope): fc.Arbitrary<string> {
  const mustaches = [
    '{{name}}',
    '{{{name}}}',
    '{{html}}',
    '{{id}}',
    '{{@root.title}}',
    '{{@root.current}}',
    '{{extra}}',
    '{{../name}}',
    '{{@index}}',
    '{{@first}}',
    '{{@last}}',
    '{{@key}}',
    '{{!-- note --}}',
    '{{#each tags}}[{{@key}}={{this}}:{{@index}}{{#if @last}}.{{/if}}]{{/each}}',
    ...scope.params.map((param) => (param.startsWith('c') ? `{{${param}.name}}` : `{{${param}}}`)),
  ];
  if (!scope.cached) mustaches.push('{{assign "current" name}}', '{{assign "current" @index}}');
  if (scope.rowDepth === 0 && scope.renders) mustaches.push('{{render this}}');
  return fc.oneof({ arbitrary: TEXT, weight: 3 }, { arbitrary: fc.constantFrom(...mustaches), weight: 3 });
}

function statements(scope: Scope, depth: number): fc.Arbitrary<string> {
  return fc.array(statement(scope, depth), { maxLength: depth > 0 ? 4 : 3 }).map((parts) => parts.join(''));
}

function statement(scope: Scope, depth: number): fc.Arbitrary<string> {
  if (depth === 0) return leaf(scope);
  const rowScope: Scope = { ...scope, rowDepth: 0 };
  const inner = statements(scope, depth - 1);
  const loop: Scope = { ...rowScope, loops: scope.loops + 1 };
  const item = `c${scope.loops}`;
  const index = `i${scope.loops}`;
  const withParams: Scope = { ...loop, params: [...scope.params, item, index] };
  const cached: Scope = { ...scope, cached: true };
  const target = scope.rowDepth === 0 ? 'this' : `${'../'.repeat(scope.rowDepth)}this`;
  const composites: fc.Arbitrary<string>[] = [
    fc.tuple(inner, statements(scope, depth - 1)).map(([yes, no]) => `{{#if flag}}${yes}{{else}}${no}{{/if}}`),
    statements(loop, depth - 1).map((body) => `{{#each children}}${body}{{/each}}`),
    statements(withParams, depth - 1).map((body) => `{{#each children as |${item} ${index}|}}${body}{{/each}}`),
    statements({ ...scope, rowDepth: scope.rowDepth + 1 }, depth - 1).map((body) => `{{#with tags}}${body}{{/with}}`),
    statements(loop, depth - 1).map((body) => `{{#loop children}}${body}{{/loop}}`),
    fc.tuple(fc.constantFrom('lower', 'squash'), inner).map(([helper, body]) => `{{#${helper}}}${body}{{/${helper}}}`),
    fc
      .tuple(
        statements(cached, depth - 1),
        fc.constantFrom('{{#', '{{~#'),
        fc.constantFrom('}}', '~}}'),
        fc.constantFrom('{{/', '{{~/'),
        fc.constantFrom('}}', '~}}'),
      )
      .map(
        ([body, open, openEnd, close, closeEnd]) =>
          `${open}cachesweeper ${target} 60 "k"${openEnd}${body}${close}cachesweeper${closeEnd}`,
      ),
    statements(cached, depth - 1).map(
      (body) => `{{#cachesweeper ${target} 60 as |t|}}{{t.name}}${body}{{/cachesweeper}}`,
    ),
    statements({ ...cached, rowDepth: 0 }, depth - 1).map(
      (body) => `{{#cachesweeper ${target} 60 load=@root.load}}{{name}}${body}{{/cachesweeper}}`,
    ),
    statements(cached, depth - 1).map((body) => `\n{{#cachesweeper ${target} 60}}\n${body}\n{{/cachesweeper}}\n`),
  ];
  // Partials key their blocks by `this`: call them where `this` is a row.
  if (scope.partials && scope.rowDepth === 0) {
    composites.push(
      fc.constantFrom('p0', 'p1', 'ip').map((name) => `{{> ${name}}}`),
      fc
        .tuple(fc.constantFrom('p0', 'p1'), fc.constantFrom('name', '@index', '"lit"', '../name', '@root.current'))
        .map(([name, extra]) => `{{> ${name} extra=${extra}}}`),
      fc
        .tuple(fc.constantFrom('p0', 'p1'), fc.constantFrom('', ' ', '  ', '\t'))
        .map(([name, indent]) => `\n${indent}{{> ${name}}}\n`),
      // The layout may wrap its content in a cached block.
      statements(cached, depth - 1).map((body) => `{{#> pb}}${body}{{/pb}}`),
    );
  }
  return fc.oneof({ arbitrary: leaf(scope), weight: 2 }, ...composites.map((arbitrary) => ({ arbitrary, weight: 1 })));
}

// Partials may be called inside cached blocks: no assignments in them.
const partialScope: Scope = { params: [], partials: false, loops: 0, rowDepth: 0, cached: true, renders: true };
/** Partials p0, p1 (called with hash arguments too), a layout-like pb and the template a helper renders (w). */
export const PARTIALS = fc.record({
  p0: statements(partialScope, 2),
  p1: statements(partialScope, 2),
  w: statements({ ...partialScope, renders: false }, 1).map(
    (body) => `<w>{{#cachesweeper this 60 "w"}}${body}{{/cachesweeper}}</w>`,
  ),
  pb: fc.constantFrom(
    '<pb>{{> @partial-block}}</pb>',
    '{{#cachesweeper this 60 "pb"}}<pb>{{name}}{{extra}}{{> @partial-block}}</pb>{{/cachesweeper}}',
    '\n  {{#cachesweeper this 60}}\n  {{> @partial-block}}\n  {{/cachesweeper}}\n',
  ),
});
const topScope: Scope = { params: [], partials: true, loops: 0, rowDepth: 0, cached: false, renders: true };
/** A page: an inline partial declared on top, then the tree's template. */
export const TEMPLATE = fc
  .tuple(statements({ ...partialScope }, 1), statements(topScope, 3))
  .map(([inline, body]) => `{{#*inline "ip"}}${inline}{{/inline}}{{#with node}}${body}{{/with}}`);

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

/** The tree with ids from `firstId` on, and every row with its ancestors, in depth-first order. */
export function numbered(root: Generated, firstId = 0) {
  const rows: { row: Node; ancestors: Node[] }[] = [];
  const visit = (item: Generated, ancestors: Node[]): Node => {
    const row = { ...item, id: firstId + rows.length, children: [] as Node[] } as Node;
    rows.push({ row, ancestors });
    row.children = item.children.map((child) => visit(child, [...ancestors, row]));
    return row;
  };
  return { tree: visit(root, []), rows };
}

/** The rows whose own data holds `changed`: itself and its ancestors. Rows showing it through `../` are keyed by what they read. */
export function affectedBy(changed: { row: Node; ancestors: Node[] }): Node[] {
  return [changed.row, ...changed.ancestors];
}
