import { FP } from '../fingerprint/fingerprint-names';
import {
  type AstNode,
  type BlockNode,
  blockNode,
  type CallNode,
  type HashNode,
  hashNode,
  literalNode,
  mustache,
  type PartialNode,
  type PathNode,
  type Program,
  pathNode,
  programOf,
  subExpression,
} from './ast';

/** Where a program sits: the block params declared around it, innermost last. */
export interface FingerprintScope {
  /** Block param names of the enclosing programs, innermost last. */
  readonly blockParams: readonly (readonly string[])[];
  /** The name of the cachesweeper helper. */
  readonly helperName: string;
  /** The digest of an inline partial or a partial block's content, as the compile step records it. */
  readonly digest: (kind: 'inline' | 'partial-block', node: AstNode) => string;
}

const BUILTIN_BLOCKS: Readonly<Record<string, string>> = { if: FP.if, unless: FP.unless, each: FP.each, with: FP.with };

/**
 * The fingerprint of a program: the same control flow (loops, conditions, partials,
 * nested blocks) with every read of a value turned into a call of a fingerprint
 * helper, and no output. Run in the program's own scope, it reads exactly what the
 * program would read — `../`, `@root`, `@index`, block params, hash arguments of
 * partials — so a block's key can hold what its output depends on. `digest`, when
 * given, is recorded first: the template this program comes from.
 */
export function fingerprintProgram(program: Program, scope: FingerprintScope, digest?: string): Program {
  const body = statements(program.body, scope);
  if (digest !== undefined) body.unshift(mustache(FP.template, [literalNode(digest, program.loc)], program.loc));
  return programOf(body, program.loc, program.blockParams);
}

function statements(body: readonly AstNode[], scope: FingerprintScope): AstNode[] {
  const out: AstNode[] = [];
  for (const node of body) {
    const fingerprint = statement(node, scope);
    if (fingerprint !== undefined) out.push(fingerprint);
  }
  return out;
}

function statement(node: AstNode, scope: FingerprintScope): AstNode | undefined {
  switch (node.type) {
    case 'MustacheStatement':
      return mustacheOf(node as CallNode, scope);
    case 'BlockStatement':
      return blockOf(node as BlockNode, scope);
    case 'PartialStatement':
    case 'PartialBlockStatement':
      return partialOf(node as PartialNode, scope);
    case 'DecoratorBlock':
      return decoratorBlockOf(node as BlockNode, scope);
    case 'Decorator':
      return mustache(
        FP.unknown,
        [literalNode(`the decorator {{* ${nameOf(node as CallNode) ?? '?'}}}`, node.loc)],
        node.loc,
      );
    default:
      return undefined; // content and comments read nothing
  }
}

function mustacheOf(node: CallNode, scope: FingerprintScope): AstNode {
  const loc = node.loc;
  if (node.params.length > 0 || node.hash !== undefined || node.path.type !== 'PathExpression') {
    return mustache(FP.helper, calleeOf(node, scope), loc, hashOf(node.hash, scope));
  }
  const path = node.path as PathNode;
  if (isSimpleName(path, scope)) {
    return mustache(FP.mustache, [literalNode(path.parts[0] as string, loc), refOf(path, scope)], loc);
  }
  return mustache(FP.value, [refOf(path, scope)], loc);
}

function blockOf(node: BlockNode, scope: FingerprintScope): AstNode {
  const loc = node.loc;
  const name = simpleName(node.path, scope);
  const inner: FingerprintScope = { ...scope, blockParams: [...scope.blockParams, node.program.blockParams ?? []] };
  const program = fingerprintProgram(node.program, inner);
  const inverse = node.inverse === undefined ? undefined : fingerprintProgram(node.inverse, scope);
  if (name === scope.helperName) return cachedBlockOf(node, program, scope);
  const builtin = name === undefined ? undefined : BUILTIN_BLOCKS[name];
  if (builtin !== undefined && node.params.length === 1) {
    return blockNode(
      builtin,
      [refOf(node.params[0] as AstNode, scope)],
      program,
      inverse,
      loc,
      hashOf(node.hash, scope),
    );
  }
  if (node.params.length === 0 && node.hash === undefined && node.path.type === 'PathExpression') {
    return blockNode(
      FP.section,
      [literalNode(name ?? '', loc), refOf(node.path as PathNode, scope)],
      program,
      inverse,
      loc,
    );
  }
  return blockNode(FP.helper, calleeOf(node, scope), program, inverse, loc, hashOf(node.hash, scope));
}

/** A cached block inside the block being fingerprinted: its target and parts; its body with its own coverage. */
function cachedBlockOf(node: BlockNode, program: Program, scope: FingerprintScope): AstNode {
  const loc = node.loc;
  const [target, , ...parts] = node.params;
  const pairs: [string, AstNode][] = [];
  for (const pair of node.hash?.pairs ?? []) {
    // A loader is code: what it loads is keyed by the nested block's own token.
    if (pair.key === 'load') pairs.push(['load', literalNode(true, loc)]);
    else if (pair.key === 'digest') pairs.push(['digest', refOf(pair.value, scope)]);
  }
  const params = [
    target === undefined ? literalNode(false, loc) : refOf(target, scope),
    ...parts.map((part) => refOf(part, scope)),
  ];
  return blockNode(FP.block, params, program, undefined, loc, hashNode(pairs, loc));
}

function partialOf(node: PartialNode, scope: FingerprintScope): AstNode {
  const loc = node.loc;
  const name = node.name as AstNode;
  const isPartialBlock = name.type === 'PathExpression' && (name as PathNode).data;
  const callee = isPartialBlock ? name : subExpression(FP.partial, [partialNameOf(name, scope)], loc);
  const context = node.params[0];
  const params =
    context === undefined && node.hash === undefined
      ? []
      : [
          subExpression(
            FP.extend,
            [context === undefined ? refOf(pathNode([], loc), scope) : refOf(context, scope)],
            loc,
            hashOf(node.hash, scope),
          ),
        ];
  const fingerprint: PartialNode = { ...node, name: callee, params, hash: undefined, indent: '' };
  if (node.program !== undefined) {
    fingerprint.program = fingerprintProgram(node.program, scope, scope.digest('partial-block', node));
  }
  return fingerprint;
}

function partialNameOf(name: AstNode, scope: FingerprintScope): AstNode {
  if (name.type === 'SubExpression') return callOf(name as CallNode, scope);
  if (name.type === 'PathExpression') return literalNode((name as PathNode).original, name.loc);
  return literalNode(String((name as { value?: unknown }).value), name.loc);
}

function decoratorBlockOf(node: BlockNode, scope: FingerprintScope): AstNode {
  if (nameOf(node) !== 'inline') {
    return mustache(FP.unknown, [literalNode(`the decorator {{#* ${nameOf(node) ?? '?'}}}`, node.loc)], node.loc);
  }
  // An inline partial's fingerprint is declared under the same name: while a fingerprint runs, calls reach it.
  return { ...node, program: fingerprintProgram(node.program, scope, scope.digest('inline', node)) };
}

/** The name and callee of a helper call, then its params as references. */
function calleeOf(node: CallNode, scope: FingerprintScope): AstNode[] {
  const loc = node.loc;
  const path = node.path;
  const params = node.params.map((param) => refOf(param, scope));
  if (path.type !== 'PathExpression') {
    return [literalNode(String((path as { value?: unknown }).value), loc), literalNode(false, loc), ...params];
  }
  const name = simpleName(path, scope);
  return [literalNode(name ?? '', loc), refOf(path as PathNode, scope), ...params];
}

function callOf(node: CallNode, scope: FingerprintScope): AstNode {
  return subExpression(FP.call, calleeOf(node, scope), node.loc, hashOf(node.hash, scope));
}

function hashOf(hash: HashNode | undefined, scope: FingerprintScope): HashNode | undefined {
  if (hash === undefined) return undefined;
  return hashNode(
    hash.pairs.map((pair) => [pair.key, refOf(pair.value, scope)] as const),
    hash.loc,
  );
}

/** A param as a reference: a path read, a helper call, or a literal as is. */
function refOf(node: AstNode, scope: FingerprintScope): AstNode {
  if (node.type === 'SubExpression') return callOf(node as CallNode, scope);
  if (node.type !== 'PathExpression') return node;
  const path = node as PathNode;
  const loc = path.loc;
  let base: PathNode;
  let rest: readonly string[];
  if (path.data) {
    base = pathNode(path.parts.slice(0, 1), loc, path.depth, true);
    rest = path.parts.slice(1);
  } else if (path.depth === 0 && !isScoped(path) && isBlockParam(path.parts[0], scope)) {
    base = pathNode(path.parts.slice(0, 1), loc);
    rest = path.parts.slice(1);
  } else {
    base = pathNode([], loc, path.depth);
    rest = path.parts;
  }
  return subExpression(FP.ref, [base, ...rest.map((part) => literalNode(part, loc))], loc);
}

/** `name` in `{{name}}`: a single-part path that may name a helper (not `this.x`, `../x`, `@x` or a block param). */
function isSimpleName(path: PathNode, scope: FingerprintScope): boolean {
  return (
    !path.data && path.depth === 0 && path.parts.length === 1 && !isScoped(path) && !isBlockParam(path.parts[0], scope)
  );
}

function simpleName(path: AstNode, scope: FingerprintScope): string | undefined {
  if (path.type !== 'PathExpression') return undefined;
  return isSimpleName(path as PathNode, scope) ? ((path as PathNode).parts[0] as string) : undefined;
}

function nameOf(node: CallNode): string | undefined {
  return node.path?.type === 'PathExpression' ? (node.path as PathNode).original : undefined;
}

// As Handlebars' `scopedId`: `./x` and `this.x` never name a helper or a block param.
function isScoped(path: PathNode): boolean {
  return /^\.|this\b/.test(path.original);
}

function isBlockParam(name: string | undefined, scope: FingerprintScope): boolean {
  return name !== undefined && scope.blockParams.some((params) => params.includes(name));
}
