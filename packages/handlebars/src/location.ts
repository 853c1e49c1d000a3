import { CacheSweeperError } from '@cachesweeper/core';

/** Where a block sits in its template, as Handlebars passes it in `options.loc` (1-based lines, 0-based columns). */
export interface SourceLocation {
  /** The template name given to `compile` as `srcName`, if any. */
  readonly source?: string;
  /** The first character of the block. */
  readonly start?: { readonly line: number; readonly column: number };
}

/** The component named in this package's errors. */
export const COMPONENT = 'handlebars';

/** Describes a block's position for messages: `{{#cachesweeper}} at line 3, column 5 of "article.hbs"`. */
export function describeBlock(helperName: string, loc: SourceLocation | undefined | null): string {
  return describeAt(`{{#${helperName}}}`, loc);
}

/** Describes what sits at `loc` for messages: `<what> at line 3, column 5 of "article.hbs"`. */
export function describeAt(what: string, loc: SourceLocation | undefined | null): string {
  const start = loc?.start;
  const at = start ? ` at line ${start.line}, column ${start.column + 1}` : '';
  const of = loc?.source ? ` of ${JSON.stringify(loc.source)}` : '';
  return `${what}${at}${of}`;
}

/** An error about one block, naming where it is; wraps `cause` (a core error keeps its own wording). */
export function blockError(where: string, message: string, cause?: unknown): CacheSweeperError {
  return new CacheSweeperError(COMPONENT, `${where}: ${message}`, cause === undefined ? undefined : { cause });
}

/** The message of an error without its `[cachesweeper] [component]` prefix. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^\[cachesweeper\] \[[^\]]*\] /, '');
}
