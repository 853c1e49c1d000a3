import type { PageExports } from '../types';

/**
 * Templates that helpers render inside a cached block (a helper calling another
 * compiled template) are code to the block's key — it cannot know them before the
 * block renders — but an edited template must never serve old HTML. So a stored block
 * carries the digests of those templates, and a copy is served only while every one of
 * them is a template this process compiled: after a deploy that changed one, the old
 * copy is a miss. It also carries the values its body (and the blocks in it) exported
 * to the page (`{{cachesweeperExport}}`), which a hit must hand on without rendering it.
 */
const MARK = '\u0000cachesweeper-templates:';
const EXPORTS_MARK = '\u0000cachesweeper-exports:';

/** What a stored block carries besides its HTML. */
export interface BlockExtras {
  /** Digests of the templates helpers rendered in it. */
  readonly templates?: ReadonlySet<string> | undefined;
  /** Values it exported to the page. */
  readonly exports?: PageExports | undefined;
}

/** The HTML to store: `html` with the digests of the templates rendered in it and its exports, when there are any. */
export function sealEnvelope(html: string, { templates, exports }: BlockExtras): string {
  const withTemplates =
    templates === undefined || templates.size === 0 ? html : `${MARK}${[...templates].sort().join(',')}\n${html}`;
  if (exports === undefined || Object.keys(exports).length === 0) return withTemplates;
  // JSON escapes every line break, so the first one ends the header.
  return `${EXPORTS_MARK}${JSON.stringify(exports)}\n${withTemplates}`;
}

/** A stored block's HTML, templates and exports; `undefined` when one of its templates is not one this process knows, or the envelope is damaged. */
export function openEnvelope(
  stored: string,
  known: ReadonlySet<string>,
):
  | {
      readonly html: string;
      readonly templates: ReadonlySet<string> | undefined;
      readonly exports: PageExports | undefined;
    }
  | undefined {
  let rest = stored;
  let exports: PageExports | undefined;
  if (rest.startsWith(EXPORTS_MARK)) {
    const end = rest.indexOf('\n');
    if (end < 0) return undefined;
    exports = parseExports(rest.slice(EXPORTS_MARK.length, end));
    if (exports === undefined) return undefined;
    rest = rest.slice(end + 1);
  }
  if (!rest.startsWith(MARK)) return { html: rest, templates: undefined, exports };
  const end = rest.indexOf('\n');
  if (end < 0) return undefined;
  const templates = new Set(rest.slice(MARK.length, end).split(','));
  for (const digest of templates) if (!known.has(digest)) return undefined;
  return { html: rest.slice(end + 1), templates, exports };
}

function parseExports(json: string): PageExports | undefined {
  try {
    const parsed: unknown = JSON.parse(json);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as PageExports)
      : undefined;
  } catch {
    return undefined;
  }
}
