import { modeOf, RenderState } from './render-state';

/**
 * Lets a block helper transform its block's output (indent it, upper-case it…) when
 * that output holds cached blocks that are not resolved yet: the transform is
 * applied now if there is nothing to wait for, otherwise once the blocks inside are
 * resolved, so the result is what an uncached render gives. Without it, such a
 * helper would see placeholders, and the page falls back to uncached rendering.
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
  const mode = modeOf(options?.data);
  if (!(mode instanceof RenderState) || !output.includes(mode.prefix)) return transform(output);
  return mode.add({
    kind: 'transform',
    index: mode.items.length,
    cut: mode.cut(output),
    transform,
    claimed: false,
  });
}

/**
 * Stands in for a standalone partial call (`  {{> comment}}` on its own line): the
 * compile step moves the partial's indentation here, so it also reaches the lines
 * of cached blocks spliced in later. Same rule as Handlebars: every line gets the
 * indent but a final empty one.
 */
export function indentHelper(this: unknown, indent: string, options: { fn(context: unknown): string; data?: unknown }) {
  return transformBlockOutput(options, options.fn(this), (html) => indentLines(html, indent));
}

function indentLines(text: string, indent: string): string {
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    if (!lines[index] && index + 1 === lines.length) break;
    lines[index] = indent + lines[index];
  }
  return lines.join('\n');
}
