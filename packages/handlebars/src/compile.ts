import { CAPTURE_DECORATOR } from './capture';
import { digestOf } from './digest';
import { blockError, describeBlock, type SourceLocation } from './location';

/** Hash key under which the compile step passes a block's template digest to the helper. */
export const DIGEST_KEY = '__cachesweeperDigest';
/** Hash key set to `true` when a block calls partials (its key then covers the partials of the render). */
export const PARTIALS_KEY = '__cachesweeperPartials';
/** Name of the helper that indents a standalone partial's output once its cached blocks are resolved. */
export const INDENT_HELPER = '__cachesweeperIndent';

/** A Handlebars AST node, as far as this pass needs it. */
interface AstNode {
  type: string;
  loc?: (SourceLocation & { end?: { line: number; column: number } }) | null;
  [field: string]: unknown;
}

interface Program extends AstNode {
  body: AstNode[];
  blockParams?: string[];
}

interface BlockNode extends AstNode {
  path: AstNode & { original?: unknown };
  program: Program;
  inverse?: Program;
  hash?: AstNode & { pairs: AstNode[] };
}

/** What `annotateTemplate` needs from a Handlebars instance. */
export interface Parser {
  parse(input: string, options?: object): unknown;
}

/** A template ready for `compile`: its AST with every cachesweeper block annotated, and a digest of the whole file. */
export interface AnnotatedTemplate {
  /** The AST to hand to `handlebars.compile` / `precompile`. */
  readonly ast: unknown;
  /** Digest of the whole template source. */
  readonly digest: string;
}

interface Scope {
  usesPartials: boolean;
}

/**
 * Parses a template and annotates every `{{#cachesweeper}}` block: a hash parameter
 * with the digest of the block's own source text (from its `{{#` to its `{{/…}}`,
 * nested blocks included), plus the whole file's when the block calls partials; a
 * flag when it calls partials; and the capture decorator (see `capture.ts`).
 * Standalone partial calls are rewritten so their indentation is applied after
 * cached blocks are resolved, as Handlebars would have applied it inline.
 */
export function annotateTemplate(
  handlebars: Parser,
  input: string | object,
  compileOptions: { preventIndent?: boolean } | undefined,
  helperName: string,
): AnnotatedTemplate {
  const source = typeof input === 'string' ? input : undefined;
  const ast = (source === undefined ? structuredClone(input) : handlebars.parse(source, compileOptions)) as Program;
  const digest = digestOf(source ?? JSON.stringify(ast, withoutLocations));
  const starts = source === undefined ? undefined : lineStarts(source);
  const textOf = (node: AstNode): string => {
    const loc = node.loc;
    if (source === undefined || starts === undefined || !loc?.start || !loc.end) {
      return JSON.stringify(node, withoutLocations);
    }
    return source.slice(offsetOf(starts, loc.start), offsetOf(starts, loc.end));
  };
  const preventIndent = compileOptions?.preventIndent === true;

  const visit = (program: Program | undefined, scopes: readonly Scope[]): void => {
    if (!program) return;
    const body = program.body;
    for (let index = 0; index < body.length; index++) {
      const node = body[index] as AstNode;
      if (node.type === 'BlockStatement' || node.type === 'DecoratorBlock') {
        const block = node as BlockNode;
        if (node.type === 'BlockStatement' && block.path.original === helperName) {
          const scope: Scope = { usesPartials: false };
          visit(block.program, [...scopes, scope]);
          annotateBlock(block, scope, textOf(block), digest, helperName);
        } else {
          visit(block.program, scopes);
          visit(block.inverse, scopes);
        }
      } else if (node.type === 'PartialStatement' || node.type === 'PartialBlockStatement') {
        for (const scope of scopes) scope.usesPartials = true;
        visit((node as BlockNode).program, scopes);
        if (node.type === 'PartialStatement' && typeof node.indent === 'string' && node.indent && !preventIndent) {
          body[index] = indentBlock(node);
        }
      }
    }
  };
  visit(ast, []);
  return { ast, digest };
}

function annotateBlock(block: BlockNode, scope: Scope, text: string, fileDigest: string, helperName: string): void {
  const where = describeBlock(helperName, block.loc);
  if (block.inverse) {
    throw blockError(where, 'a cached block takes no {{else}} section');
  }
  if ((block.program.blockParams?.length ?? 0) > 1) {
    throw blockError(
      where,
      `declares ${block.program.blockParams?.length} block params (as |${block.program.blockParams?.join(' ')}|); it has one: the loaded data, or the target`,
    );
  }
  const digest = scope.usesPartials ? digestOf('partials', text, fileDigest) : digestOf('block', text);
  const loc = block.loc ?? undefined;
  block.hash ??= { type: 'Hash', pairs: [], loc };
  block.hash.pairs.push({ type: 'HashPair', key: DIGEST_KEY, value: literal('StringLiteral', digest, loc), loc });
  if (scope.usesPartials) {
    block.hash.pairs.push({ type: 'HashPair', key: PARTIALS_KEY, value: literal('BooleanLiteral', true, loc), loc });
  }
  block.program.body.unshift({
    type: 'Decorator',
    path: path(CAPTURE_DECORATOR, loc),
    params: [],
    hash: undefined,
    escaped: true,
    strip: { open: false, close: false },
    loc,
  });
}

function indentBlock(partial: AstNode): AstNode {
  const indent = partial.indent as string;
  const loc = partial.loc ?? undefined;
  const noStrip = { open: false, close: false };
  return {
    type: 'BlockStatement',
    path: path(INDENT_HELPER, loc),
    params: [literal('StringLiteral', indent, loc)],
    hash: undefined,
    program: { type: 'Program', body: [{ ...partial, indent: '' }], blockParams: undefined, strip: {}, loc },
    inverse: undefined,
    openStrip: noStrip,
    inverseStrip: noStrip,
    closeStrip: noStrip,
    loc,
  };
}

function path(name: string, loc: AstNode['loc']): AstNode {
  return { type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc };
}

function literal(type: 'StringLiteral' | 'BooleanLiteral', value: string | boolean, loc: AstNode['loc']): AstNode {
  return { type, value, original: value, loc };
}

function withoutLocations(key: string, value: unknown): unknown {
  return key === 'loc' ? undefined : value;
}

// Handlebars' lexer (jison) counts \r\n, \r and \n as line breaks.
function lineStarts(source: string): number[] {
  const starts = [0];
  const breaks = /\r\n?|\n/g;
  for (let match = breaks.exec(source); match !== null; match = breaks.exec(source)) {
    starts.push(match.index + match[0].length);
  }
  return starts;
}

function offsetOf(starts: readonly number[], position: { line: number; column: number }): number {
  return (starts[position.line - 1] ?? 0) + position.column;
}
