/**
 * Templates that helpers render inside a cached block (a helper calling another
 * compiled template) are code to the block's key — it cannot know them before the
 * block renders — but an edited template must never serve old HTML. So a stored block
 * carries the digests of those templates, and a copy is served only while every one of
 * them is a template this process compiled: after a deploy that changed one, the old
 * copy is a miss.
 */
const MARK = '\u0000cachesweeper-templates:';

/** The HTML to store: `html` with the digests of the templates rendered in it, when there are any. */
export function sealEnvelope(html: string, templates: ReadonlySet<string> | undefined): string {
  if (templates === undefined || templates.size === 0) return html;
  return `${MARK}${[...templates].sort().join(',')}\n${html}`;
}

/** A stored block's HTML and templates; `undefined` when one of its templates is not one this process knows. */
export function openEnvelope(
  stored: string,
  known: ReadonlySet<string>,
): { readonly html: string; readonly templates: ReadonlySet<string> | undefined } | undefined {
  if (!stored.startsWith(MARK)) return { html: stored, templates: undefined };
  const end = stored.indexOf('\n');
  if (end < 0) return undefined;
  const templates = new Set(stored.slice(MARK.length, end).split(','));
  for (const digest of templates) if (!known.has(digest)) return undefined;
  return { html: stored.slice(end + 1), templates };
}
