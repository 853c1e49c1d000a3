import type { AstNode, CallNode, PathNode, Program } from './ast';

const BODY = 'body';

/**
 * Whether a template mentions `body` once, as `{{{body}}}` (or `{{&body}}`) at its top
 * level: a statement there runs once per render, and inserts the value as it is. Any
 * other mention (a path through `body`, a `"body"` literal a helper could look up, a
 * second insertion, one inside a block) says the layout may do more with its body.
 */
export function insertsBodyOnce(ast: Program): boolean {
  const inserted = ast.body.filter(isBodyInsertion).length;
  return inserted === 1 && mentionsOf(ast) === 1;
}

function isBodyInsertion(node: AstNode): boolean {
  if (node.type !== 'MustacheStatement' || node.escaped !== false) return false;
  const { path, params, hash } = node as CallNode;
  return (
    path.type === 'PathExpression' &&
    (path as PathNode).original === BODY &&
    params.length === 0 &&
    (hash === undefined || hash === null)
  );
}

function mentionsOf(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + mentionsOf(item), 0);
  if (value === null || typeof value !== 'object') return 0;
  const node = value as AstNode;
  let mentions = 0;
  if (node.type === 'PathExpression' && (node as PathNode).parts.includes(BODY)) mentions++;
  if (node.type === 'StringLiteral' && node.value === BODY) mentions++;
  for (const [field, child] of Object.entries(node)) if (field !== 'loc') mentions += mentionsOf(child);
  return mentions;
}
