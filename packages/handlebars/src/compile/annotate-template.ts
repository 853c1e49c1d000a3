import { digestOf } from '../digest';
import { blockError, describeBlock, type SourceLocation } from '../location';
import { CAPTURE_DECORATOR } from './capture-container';

/** Hash key under which the compile step passes a block's template digest to the helper. */
export const DIGEST_KEY = '__cachesweeperDigest';
/** Hash key set to `true` when a block calls partials (its key then covers the partials of the render). */
export const PARTIALS_KEY = '__cachesweeperPartials';
/** Name of the helper that indents a standalone partial's output once its cached blocks are resolved. */
export const INDENT_HELPER = '__cachesweeperIndent';
/** Name of the helper that passes a partial block's content digest down to the blocks in the partial. */
export const PARTIAL_BLOCK_HELPER = '__cachesweeperPartialBlock';

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
 * with the digest of the block (its parsed form, nested blocks included, after
 * Handlebars' whitespace rules ran, and the compile options), plus the whole file's
 * when the block calls partials; a flag when it calls partials; and the capture
 * decorator (see `capture.ts`). Standalone partial calls are rewritten so their
 * indentation is applied after cached blocks are resolved, as Handlebars would have
 * applied it inline; partial blocks (`{{#> card}}…{{/card}}`) pass a digest of
 * their content down, so a block that renders `{{> @partial-block}}` is keyed by it.
 */
export function annotateTemplate(
  handlebars: Parser,
  input: string | object,
  compileOptions: { preventIndent?: boolean } | undefined,
  helperName: string,
): AnnotatedTemplate {
  const source = typeof input === 'string' ? input : undefined;
  const ast = (source === undefined ? structuredClone(input) : handlebars.parse(source, compileOptions)) as Program;
  const text = source ?? structureOf(ast);
  // Options such as noEscape or preventIndent change what a block renders.
  const settings = JSON.stringify(compileOptions ?? {}, (key, value) =>
    key === 'srcName' || key === 'moduleName' ? undefined : value,
  );
  const fileDigest = digestOf('file', text, settings);
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
          const digest = scope.usesPartials
            ? digestOf('partials', structureOf(block), settings, fileDigest)
            : digestOf('block', structureOf(block), settings);
          annotateBlock(block, scope, digest, helperName);
        } else {
          visit(block.program, scopes);
          visit(block.inverse, scopes);
        }
      } else if (node.type === 'PartialStatement') {
        for (const scope of scopes) scope.usesPartials = true;
        if (typeof node.indent === 'string' && node.indent && !preventIndent) {
          body[index] = wrapIn(INDENT_HELPER, node.indent, { ...node, indent: '' });
        }
      } else if (node.type === 'PartialBlockStatement') {
        for (const scope of scopes) scope.usesPartials = true;
        visit((node as BlockNode).program, scopes);
        body[index] = wrapIn(
          PARTIAL_BLOCK_HELPER,
          digestOf('partial-block', structureOf(node), settings, fileDigest),
          node,
        );
      }
    }
  };
  visit(ast, []);
  return { ast, digest: digestOf(text) };
}

function annotateBlock(block: BlockNode, scope: Scope, digest: string, helperName: string): void {
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

/** Wraps a statement in a block of one of this package's helpers, called with one string argument. */
function wrapIn(helper: string, argument: string, statement: AstNode): AstNode {
  const loc = statement.loc ?? undefined;
  const noStrip = { open: false, close: false };
  return {
    type: 'BlockStatement',
    path: path(helper, loc),
    params: [literal('StringLiteral', argument, loc)],
    hash: undefined,
    program: { type: 'Program', body: [statement], blockParams: undefined, strip: {}, loc },
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

/** A node's parsed form as text, without source positions: what it renders, whatever its line. */
function structureOf(node: unknown): string {
  return JSON.stringify(node, (key, value) => (key === 'loc' ? undefined : value));
}
