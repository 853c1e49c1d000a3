import { blockMode } from '../frames';
import { contextOf } from '../null-context';
import type { Registration } from '../types';
import { RenderState } from './render-state';
import { WATCHED_BY } from './watched-by';

/**
 * Lets a block helper transform its block's output (indent it, upper-case it…) when
 * that output holds cached blocks that are not resolved yet: the transform is
 * applied now if there is nothing to wait for, otherwise once the blocks inside are
 * resolved, so the result is what an uncached render gives. Without it, such a helper
 * is detected and called a second time once the blocks are resolved.
 *
 * @example
 * handlebars.registerHelper('shout', function (options) {
 *   return transformBlockOutput(options, options.fn(this), (html) => html.toUpperCase());
 * });
 */
export function transformBlockOutput(
  options: { readonly data?: unknown },
  output: string,
  transform: (html: string) => string,
): string {
  const registration = (options as { [WATCHED_BY]?: Registration } | undefined)?.[WATCHED_BY];
  return transformIn(registration, output, transform);
}

/** `transformBlockOutput` for a helper of this package, which knows its registration. */
export function transformIn(
  registration: Registration | undefined,
  output: string,
  transform: (html: string) => string,
): string {
  const mode = registration === undefined ? undefined : blockMode(registration);
  if (!(mode instanceof RenderState) || !mode.mayHoldPlaceholders(output)) return transform(output);
  return mode.add({
    kind: 'transform',
    index: mode.items.length,
    input: output,
    cut: mode.cut(output),
    transform,
    claimed: false,
  });
}

/**
 * The helper that stands in for a standalone partial call (`  {{> comment}}` on its
 * own line): the compile step moves the partial's indentation here, so it also reaches
 * the lines of cached blocks spliced in later. Same rule as Handlebars: every line gets
 * the indent but a final empty one.
 */
export function indentHelper(registration: Registration) {
  return function indentPartial(this: unknown, indent: string, options: { fn(context: unknown): string }): string {
    return transformIn(registration, options.fn(contextOf(this)), (html) => indentLines(html, indent));
  };
}

function indentLines(text: string, indent: string): string {
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    if (!lines[index] && index + 1 === lines.length) break;
    lines[index] = indent + lines[index];
  }
  return lines.join('\n');
}
