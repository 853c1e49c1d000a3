import type { AstNode, BlockNode, CallNode, HashNode, PathNode, Program } from './ast';

/** Where a read happens inside a block's body, relative to where the block sits. */
interface Position {
  /** Contexts pushed since the block's site (`../` this many levels deep still reads inside the block). */
  readonly pushes: number;
  /** Data frames created since the block's site (`@index` reads one of them while `@../` stays below this). */
  readonly frames: number;
  /** Block params declared inside the block. */
  readonly params: readonly string[];
  /** Block params declared around the block (outside it), unless shadowed. */
  readonly outer: readonly string[];
}

const PUSHING = new Set(['each', 'with']);
const FRAMING = new Set(['each']);

/**
 * Whether a cached block's body can read anything from outside the block: with a
 * loader (and no block param) the body renders the loaded data, which the block's
 * own token keys; a body that reads only that — no `../` out of it, no `@root`, no
 * data frame or block param of the site, no partial, no helper given the site's
 * context — needs no fingerprint, and its key is what it always was. Any doubt
 * answers yes.
 */
export function readsOutside(block: BlockNode, helperName: string, outerParams: readonly string[]): boolean {
  const ownParams = block.program.blockParams ?? [];
  const hasLoader = block.hash?.pairs.some((pair) => pair.key === 'load') === true;
  // With a loader and no block param, `this` in the body is the loaded data: one context pushed.
  // Without a loader the block param is the target, which the body reads as it is when the block renders: outside.
  const start: Position = {
    pushes: hasLoader && ownParams.length === 0 ? 1 : 0,
    frames: 0,
    params: hasLoader ? ownParams : [],
    outer: hasLoader ? outerParams : [...outerParams, ...ownParams],
  };
  return programReads(block.program, start, helperName);
}

function programReads(program: Program | undefined, at: Position, helperName: string): boolean {
  return program?.body.some((node) => statementReads(node, at, helperName)) === true;
}

function statementReads(node: AstNode, at: Position, helperName: string): boolean {
  switch (node.type) {
    case 'ContentStatement':
    case 'CommentStatement':
      return false;
    case 'MustacheStatement':
      return callReads(node as CallNode, at);
    case 'BlockStatement':
      return blockReads(node as BlockNode, at, helperName);
    default:
      // Partials can read `@root` and the site's data; decorators can do anything.
      return true;
  }
}

function blockReads(block: BlockNode, at: Position, helperName: string): boolean {
  const name = block.path.type === 'PathExpression' ? (block.path as PathNode).original : undefined;
  const declared = block.program.blockParams ?? [];
  if (name === helperName) {
    const hasLoader = block.hash?.pairs.some((pair) => pair.key === 'load') === true;
    const params = block.params.slice(0, 1).concat(block.params.slice(2));
    const hash = block.hash?.pairs.filter((pair) => pair.key !== 'load').map((pair) => pair.value) ?? [];
    if ([...params, ...hash].some((param) => valueReads(param, at))) return true;
    const pushes = hasLoader && declared.length === 0 ? at.pushes + 1 : at.pushes;
    return programReads(block.program, { ...at, pushes, params: [...at.params, ...declared] }, helperName);
  }
  if (callReads(block, at)) return true;
  const known = name !== undefined && (PUSHING.has(name) || name === 'if' || name === 'unless');
  // An unknown helper may or may not push a context or a frame: assume it does not (`../` then reaches further out).
  const inner: Position = {
    ...at,
    pushes: known && PUSHING.has(name) ? at.pushes + 1 : at.pushes,
    frames: known && FRAMING.has(name) ? at.frames + 1 : at.frames,
    params: [...at.params, ...declared],
  };
  return programReads(block.program, inner, helperName) || programReads(block.inverse, at, helperName);
}

/** A mustache or a block's opening: its path, params and hash; a helper call also gets the site's context. */
function callReads(node: CallNode, at: Position): boolean {
  const isCall = node.params.length > 0 || node.hash !== undefined;
  // A helper is called with `this`: outside the block unless the context is the loaded data.
  if (isCall && at.pushes === 0) return true;
  if (node.path.type === 'PathExpression' && valueReads(node.path, at)) return true;
  return node.params.some((param) => valueReads(param, at)) || hashReads(node.hash, at);
}

function hashReads(hash: HashNode | undefined, at: Position): boolean {
  return hash?.pairs.some((pair) => valueReads(pair.value, at)) === true;
}

function valueReads(node: AstNode, at: Position): boolean {
  if (node.type === 'SubExpression') return at.pushes === 0 || callReads(node as CallNode, at);
  if (node.type !== 'PathExpression') return false;
  const path = node as PathNode;
  if (path.data) {
    const name = path.parts[0];
    return name === 'root' || path.depth >= at.frames || name === 'partial-block';
  }
  const first = path.parts[0];
  if (path.depth === 0 && first !== undefined && !/^\.|this\b/.test(path.original)) {
    if (at.params.includes(first)) return false;
    if (at.outer.includes(first)) return true;
  }
  return path.depth >= at.pushes;
}
