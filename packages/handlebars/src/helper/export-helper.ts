import { CacheSweeperError, describeValue } from '@cachesweeper/core';
import { COMPONENT, describeAt, type SourceLocation } from '../location';
import type { RenderState } from '../render/render-state';
import type { ExportValue, Frame, Registration } from '../types';

/** What Handlebars passes a helper last. */
interface ExportHelperOptions {
  readonly hash?: Readonly<Record<string, unknown>>;
  readonly loc?: SourceLocation | null;
}

/**
 * The `{{cachesweeperExport name=value …}}` helper of one registration: hands values
 * computed inside a cached block (the article's title, whether the row was found) to
 * the page around it — the layout, and the route through the engine's `exports` — so
 * a hit, which renders nothing, still tells them. A rendered block keeps its exports
 * with its stored copy (and those of the blocks in it); outside any block, the value
 * goes straight to the page. Values are strings, finite numbers, booleans or null. It
 * prints nothing.
 */
export function createExportHelper(registration: Registration, name: string) {
  return function cachesweeperExport(...args: unknown[]): string {
    const options = args.pop() as ExportHelperOptions;
    const where = describeAt(`{{${name}}}`, options?.loc);
    if (args.length > 0) {
      throw new CacheSweeperError(
        COMPONENT,
        `${where}: takes name=value pairs only (e.g. {{${name} title=article.title}}), got ${args.length} positional argument(s)`,
      );
    }
    const values: Record<string, ExportValue> = {};
    for (const [key, value] of Object.entries(options?.hash ?? {})) values[key] = checkedValue(where, key, value);
    const sink = sinkOf(registration);
    if (sink !== undefined) Object.assign(sink, values);
    return '';
  };
}

/** Where exports go right now: the innermost block being rendered, else the render's page; none in a plain call's top level. */
function sinkOf(registration: Registration): Record<string, ExportValue> | undefined {
  const frames: readonly Frame[] = registration.frames;
  for (let index = frames.length - 1; index >= 0; index--) {
    const frame = frames[index] as Frame;
    if (frame.kind === 'rendering') return frame.exports;
    if (frame.kind === 'deferred') return (frame as RenderState).exports;
    if (frame.kind === 'call' && frame.mode.kind === 'deferred') return (frame.mode as RenderState).exports;
    if (frame.kind === 'fingerprint') return undefined;
  }
  return undefined;
}

function checkedValue(where: string, key: string, value: unknown): ExportValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new CacheSweeperError(
    COMPONENT,
    `${where}: ${key} must be a string, a finite number, a boolean or null (data, stored with the block as JSON; never HTML), got ${describeValue(value)}`,
  );
}
