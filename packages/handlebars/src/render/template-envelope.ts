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
/** Where its nested blocks lie in it (see `kept-parts.ts`). */
const PARTS_MARK = '\u0000cachesweeper-parts:';

/** What a stored block carries besides its HTML. */
export interface BlockExtras {
  /** Digests of the templates helpers rendered in it. */
  readonly templates?: ReadonlySet<string> | undefined;
  /** Values it exported to the page. */
  readonly exports?: PageExports | undefined;
  /** Where the blocks nested in it lie in its HTML (see `partsOf`). */
  readonly parts?: string | undefined;
}

/** The HTML to store: `html` with the digests of the templates rendered in it, its exports and its parts, when there are any. */
export function sealEnvelope(html: string, { templates, exports, parts }: BlockExtras): string {
  const withTemplates =
    templates === undefined || templates.size === 0 ? html : `${MARK}${[...templates].sort().join(',')}\n${html}`;
  // JSON escapes every line break, so the first one ends the header.
  const withExports =
    exports === undefined || Object.keys(exports).length === 0
      ? withTemplates
      : `${EXPORTS_MARK}${JSON.stringify(exports)}\n${withTemplates}`;
  return parts === undefined ? withExports : `${PARTS_MARK}${parts}\n${withExports}`;
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
      readonly parts?: string;
    }
  | undefined {
  let rest = stored;
  let parts: string | undefined;
  if (rest.startsWith(PARTS_MARK)) {
    const end = rest.indexOf('\n');
    if (end < 0) return undefined;
    parts = rest.slice(PARTS_MARK.length, end);
    rest = rest.slice(end + 1);
  }
  let exports: PageExports | undefined;
  if (rest.startsWith(EXPORTS_MARK)) {
    const end = rest.indexOf('\n');
    if (end < 0) return undefined;
    exports = parseExports(rest.slice(EXPORTS_MARK.length, end));
    if (exports === undefined) return undefined;
    rest = rest.slice(end + 1);
  }
  if (!rest.startsWith(MARK))
    return parts === undefined
      ? { html: rest, templates: undefined, exports }
      : { html: rest, templates: undefined, exports, parts };
  const end = rest.indexOf('\n');
  if (end < 0) return undefined;
  const templates = new Set(rest.slice(MARK.length, end).split(','));
  for (const digest of templates) if (!known.has(digest)) return undefined;
  const html = rest.slice(end + 1);
  return parts === undefined ? { html, templates, exports } : { html, templates, exports, parts };
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
