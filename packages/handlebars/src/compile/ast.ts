import type { SourceLocation } from '../location';

/** A Handlebars AST node, as far as the compile step needs it. */
export interface AstNode {
  type: string;
  loc?: (SourceLocation & { end?: { line: number; column: number } }) | null;
  [field: string]: unknown;
}

/** A program: a list of statements, with the block params it declares. */
export interface Program extends AstNode {
  body: AstNode[];
  blockParams?: string[];
}

/** A path (`name`, `../x.y`, `@root.a`, `this`). */
export interface PathNode extends AstNode {
  data: boolean;
  depth: number;
  parts: string[];
  original: string;
}

/** A hash (`k=v …`). */
export interface HashNode extends AstNode {
  pairs: { key: string; value: AstNode }[];
}

/** A block, mustache, partial or sub-expression: whatever calls something with params and a hash. */
export interface CallNode extends AstNode {
  path: AstNode;
  params: AstNode[];
  hash?: HashNode;
}

/** A block statement (`{{#x}}…{{else}}…{{/x}}`) or a decorator block (`{{#*inline}}`). */
export interface BlockNode extends CallNode {
  program: Program;
  inverse?: Program;
}

/** A partial statement or partial block. */
export interface PartialNode extends AstNode {
  name: AstNode;
  params: AstNode[];
  hash?: HashNode;
  program?: Program;
  indent?: string;
}

type Loc = AstNode['loc'];

const NO_STRIP = { open: false, close: false };

/** A path expression; `depth` levels up, `data` for `@…`. */
export function pathNode(parts: readonly string[], loc: Loc, depth = 0, data = false): PathNode {
  const up = '../'.repeat(depth);
  const original = data
    ? `@${up}${parts.join('.')}`
    : parts.length === 0
      ? depth === 0
        ? 'this'
        : up.slice(0, -1)
      : `${up}${parts.join('.')}`;
  return { type: 'PathExpression', data, depth, parts: [...parts], original, loc };
}

/** A string, number or boolean literal. */
export function literalNode(value: string | number | boolean, loc: Loc): AstNode {
  const type =
    typeof value === 'string' ? 'StringLiteral' : typeof value === 'number' ? 'NumberLiteral' : 'BooleanLiteral';
  return { type, value, original: value, loc };
}

/** A hash of the given pairs. */
export function hashNode(pairs: readonly (readonly [string, AstNode])[], loc: Loc): HashNode {
  return { type: 'Hash', pairs: pairs.map(([key, value]) => ({ type: 'HashPair', key, value, loc })), loc };
}

/** A call of one of this package's helpers as a sub-expression. */
export function subExpression(helper: string, params: AstNode[], loc: Loc, hash?: HashNode): AstNode {
  return { type: 'SubExpression', path: pathNode([helper], loc), params, hash, loc };
}

/** A `{{helper params}}` mustache (its output is never shown: the helpers used this way return ''). */
export function mustache(helper: string, params: AstNode[], loc: Loc, hash?: HashNode): AstNode {
  return {
    type: 'MustacheStatement',
    path: pathNode([helper], loc),
    params,
    hash,
    escaped: true,
    strip: NO_STRIP,
    loc,
  };
}

/** A program of these statements. */
export function programOf(body: AstNode[], loc: Loc, blockParams?: string[]): Program {
  return { type: 'Program', body, blockParams, strip: {}, loc };
}

/** A `{{#helper params}}program{{else}}inverse{{/helper}}` block of one of this package's helpers. */
export function blockNode(
  helper: string,
  params: AstNode[],
  program: Program,
  inverse: Program | undefined,
  loc: Loc,
  hash?: HashNode,
): BlockNode {
  return {
    type: 'BlockStatement',
    path: pathNode([helper], loc),
    params,
    hash,
    program,
    inverse,
    openStrip: NO_STRIP,
    inverseStrip: NO_STRIP,
    closeStrip: NO_STRIP,
    loc,
  };
}

/** A node's parsed form as text, without source positions: what it renders, whatever its line. */
export function structureOf(node: unknown): string {
  return JSON.stringify(node, (key, value) => (key === 'loc' ? undefined : value));
}
