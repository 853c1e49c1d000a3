import { CacheSweeperError } from '@cachesweeper/core';
import { digestOf } from '../digest';
import { FP } from '../fingerprint/fingerprint-names';
import { blockError, COMPONENT, describeBlock } from '../location';
import {
  type AstNode,
  type BlockNode,
  blockNode,
  hashNode,
  literalNode,
  type PartialNode,
  type Program,
  pathNode,
  programOf,
  structureOf,
} from './ast';
import { insertsBodyOnce } from './body-insertion';
import { CAPTURE_DECORATOR, RESTORE_DECORATOR } from './capture-container';
import { type FingerprintScope, fingerprintProgram } from './fingerprint-program';
import { readsOutside } from './outside-reads';

const INDENT_HELPER_NAME = '__cachesweeperIndent';
const OWN_BLOCKS = new Set(['if', 'unless', 'each', 'with', FP.switch, INDENT_HELPER_NAME]);

/** Hash key under which the compile step passes a block's template digest to the helper. */
export const DIGEST_KEY = '__cachesweeperDigest';
/** Hash key set to `true` when a block with a loader reads nothing but its loaded data (its key needs no fingerprint). */
export const INSIDE_KEY = '__cachesweeperInside';
/** Name of the helper that indents a standalone partial's output once its cached blocks are resolved. */
export const INDENT_HELPER = INDENT_HELPER_NAME;

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
  /** Whether it mentions `body` only to insert it as it is, once (see `insertsBodyOnce`). */
  readonly insertsBodyOnce: boolean;
}

/**
 * Parses a template and prepares it for cached rendering:
 * - every `{{#cachesweeper}}` block gets its digest (the block as parsed, nested blocks
 *   included, after Handlebars' whitespace rules, and the compile options), the capture
 *   decorator (see `capture-container.ts`) and, unless it reads nothing from outside
 *   itself, its body's fingerprint (see `fingerprint-program.ts`);
 * - the whole template, every inline partial and every partial block's content carry
 *   their fingerprints too, so a block that calls them can read through them;
 * - standalone partial calls are rewritten so their indentation is applied after cached
 *   blocks are resolved, as Handlebars would have applied it inline.
 */
export function annotateTemplate(
  handlebars: Parser,
  input: string | object,
  compileOptions: { preventIndent?: boolean; compat?: boolean } | undefined,
  helperName: string,
): AnnotatedTemplate {
  if (compileOptions?.compat === true) {
    throw new CacheSweeperError(
      COMPONENT,
      'compile option compat: true is not supported: it makes every name look through all enclosing contexts, so a cached block cannot tell what it reads; compile without it',
    );
  }
  const source = typeof input === 'string' ? input : undefined;
  const ast = (source === undefined ? structuredClone(input) : handlebars.parse(source, compileOptions)) as Program;
  const text = source ?? structureOf(ast);
  const bodyOnce = insertsBodyOnce(ast);
  // Options such as noEscape or preventIndent change what a block renders.
  const settings = JSON.stringify(compileOptions ?? {}, (key, value) =>
    key === 'srcName' || key === 'moduleName' ? undefined : value,
  );
  const fileDigest = digestOf('file', text, settings);
  const preventIndent = compileOptions?.preventIndent === true;
  const digest = (kind: string, node: AstNode) => digestOf(kind, structureOf(node), settings);
  const scopeOf = (blockParams: readonly (readonly string[])[]): FingerprintScope => ({
    blockParams,
    helperName,
    digest,
  });

  const visit = (program: Program | undefined, params: readonly (readonly string[])[]): void => {
    if (!program) return;
    const body = program.body;
    for (let index = 0; index < body.length; index++) {
      const node = body[index] as AstNode;
      if (node.type === 'BlockStatement' || node.type === 'DecoratorBlock') {
        const block = node as BlockNode;
        const inner = [...params, block.program.blockParams ?? []];
        if (
          node.type === 'BlockStatement' &&
          block.path.type === 'PathExpression' &&
          block.path.original === helperName
        ) {
          annotateBlock(block, digest('block', block), params, scopeOf, helperName);
          visit(block.program, inner);
          withDecorator(block.program, CAPTURE_DECORATOR);
        } else if (node.type === 'DecoratorBlock' && block.path.original === 'inline') {
          const fingerprint = fingerprintProgram(block.program, scopeOf(params), digest('inline', block));
          visit(block.program, params);
          block.program.body = [switchNode(block.program, fingerprint)];
          withDecorator(block.program, RESTORE_DECORATOR);
        } else if (block.path.original === FP.switch) {
          visit(block.program, params); // its inverse is the fingerprint, made from the program as written
        } else if (node.type === 'BlockStatement' && !OWN_BLOCKS.has(String(block.path.original))) {
          // A helper that rewrites its block is called again later (see render/helper-watch.ts): its programs carry
          // their fingerprints (what they read is put back for the second call) and find their template's inline
          // partials then. Handlebars' own block helpers never are.
          const program = fingerprintProgram(block.program, scopeOf(inner));
          const inverse = block.inverse && fingerprintProgram(block.inverse, scopeOf(params));
          visit(block.program, inner);
          visit(block.inverse, params);
          block.program.body = [switchNode(block.program, program)];
          withDecorator(block.program, RESTORE_DECORATOR);
          if (block.inverse && inverse) {
            block.inverse.body = [switchNode(block.inverse, inverse)];
            withDecorator(block.inverse, RESTORE_DECORATOR);
          }
        } else {
          visit(block.program, inner);
          visit(block.inverse, params);
        }
      } else if (node.type === 'PartialStatement') {
        if (typeof node.indent === 'string' && node.indent && !preventIndent) {
          body[index] = blockNode(
            INDENT_HELPER,
            [literalNode(node.indent, node.loc)],
            programOf([{ ...node, indent: '' }], node.loc),
            undefined,
            node.loc,
          );
        }
      } else if (node.type === 'PartialBlockStatement') {
        const partial = node as PartialNode;
        const content = partial.program as Program;
        const fingerprint = fingerprintProgram(content, scopeOf(params), digest('partial-block', partial));
        visit(content, params);
        content.body = [switchNode(content, fingerprint)];
        withDecorator(content, RESTORE_DECORATOR);
      }
    }
  };
  const fingerprint = fingerprintProgram(ast, scopeOf([]), fileDigest);
  visit(ast, []);
  ast.body = [switchNode(ast, fingerprint)];
  return { ast, digest: fileDigest, insertsBodyOnce: bodyOnce };
}

/** Checks a cached block and gives it its digest; its body becomes its fingerprint switch when it reads outside itself. */
function annotateBlock(
  block: BlockNode,
  digest: string,
  params: readonly (readonly string[])[],
  scopeOf: (blockParams: readonly (readonly string[])[]) => FingerprintScope,
  helperName: string,
): void {
  const where = describeBlock(helperName, block.loc);
  if (block.inverse) {
    throw blockError(where, 'a cached block takes no {{else}} section');
  }
  const own = block.program.blockParams ?? [];
  if (own.length > 1) {
    throw blockError(
      where,
      `declares ${own.length} block params (as |${own.join(' ')}|); it has one: the loaded data, or the target`,
    );
  }
  const loc = block.loc ?? undefined;
  const pairs: [string, AstNode][] = [[DIGEST_KEY, literalNode(digest, loc)]];
  // Every block gets its fingerprint: one that reads only its loaded data needs it when `load=` turns out undefined.
  const fingerprint = fingerprintProgram(block.program, scopeOf([...params, own]));
  if (!readsOutside(block, helperName, params.flat())) pairs.push([INSIDE_KEY, literalNode(true, loc)]);
  block.program.body = [switchNode(block.program, fingerprint)];
  block.hash ??= hashNode([], loc);
  block.hash.pairs.push(...hashNode(pairs, loc).pairs);
}

/** Puts a decorator at the top of a program. */
function withDecorator(program: Program, decorator: string): void {
  const loc = program.loc ?? undefined;
  program.body.unshift({
    type: 'Decorator',
    path: pathNode([decorator], loc),
    params: [],
    hash: undefined,
    escaped: true,
    strip: { open: false, close: false },
    loc,
  });
}

/** `{{#switch}}program{{else}}fingerprint{{/switch}}`: the program, or its fingerprint while one is taken. */
function switchNode(program: Program, fingerprint: Program): AstNode {
  return blockNode(
    FP.switch,
    [],
    programOf(program.body, program.loc),
    programOf(fingerprint.body, program.loc),
    program.loc,
  );
}
