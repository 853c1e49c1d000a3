import { CacheSweeperError, describeValue, type SweeperSession, type SweeperStats } from '@cachesweeper/core';
import type Handlebars from 'handlebars';
import type { PageBytes } from '../bytes/page-bytes';
import { withFrame } from '../frames';
import { COMPONENT } from '../location';
import { withBody } from './layout-body';
import { resolveRender } from './level-resolver';
import { RenderState } from './render-state';
import { registrationOf } from './template-registration';

/** A compiled Handlebars template. */
export type CompiledTemplate = Handlebars.TemplateDelegate;

/** Options of `renderCached`: Handlebars' runtime options (`data`, `helpers`, `partials`, …), plus the page's session or stats. */
export interface RenderCachedOptions extends Handlebars.RuntimeOptions {
  /** A session shared by every render of one page (e.g. a view and its layout). Default: a fresh one. */
  readonly session?: SweeperSession;
  /** Counters for this page (`createStats()`), when no session is given. */
  readonly stats?: SweeperStats;
  /** Receives the values the page's blocks exported (`{{cachesweeperExport name=value}}`), hit or rendered. */
  readonly exports?: Record<string, unknown>;
  /**
   * Trims the page as `String#trim` would (express-handlebars trims every rendering),
   * without copying it: `String#trim` on the page makes V8 copy all of it. Default: false.
   */
  readonly trim?: boolean;
  /**
   * Collects the page's large cached fragments: each stands in the returned HTML as a
   * marker, and `bytes.toBuffer(html)` writes the page with their held UTF-8 bytes (see
   * `HeldFragmentBytes`). Pass the same one to the view's render and to its layout's: a
   * layout given a `body` that holds markers keeps them only where it inserts `{{{body}}}`
   * as it is, once, and reads `body` nowhere else; any other layout gets the real body.
   */
  readonly bytes?: PageBytes;
}

/**
 * Renders a template and resolves its cached blocks in batches: one token round and
 * one fragment round per nesting level, whatever the number of blocks; misses run
 * their loaders, render, and are stored in the background (the promise does not
 * wait for the writes). A backend that fails or is late makes the rest of the page
 * render uncached; it never fails the page.
 *
 * @example
 * const html = await renderCached(articlePage, { article, loadComments }, { stats });
 */
export async function renderCached(
  template: CompiledTemplate,
  context: unknown,
  options: RenderCachedOptions = {},
): Promise<string> {
  if (typeof template !== 'function') {
    throw new CacheSweeperError(
      COMPONENT,
      `renderCached: template must be a compiled template (handlebars.compile(source)), got ${describeValue(template)}`,
    );
  }
  const { bytes, ...rest } = options ?? {};
  const body = (context as { body?: unknown } | null | undefined)?.body;
  if (bytes === undefined || typeof body !== 'string' || !bytes.holdsMarkers(body)) {
    return renderOnce(template, context, rest, bytes);
  }
  return withBody(template, context as object, body, bytes, (given) => renderOnce(template, given, rest, bytes));
}

async function renderOnce(
  template: CompiledTemplate,
  context: unknown,
  options: Omit<RenderCachedOptions, 'bytes'>,
  bytes: PageBytes | undefined,
): Promise<string> {
  const { session, stats, exports, trim = false, ...runtime } = options;
  const registration = registrationOf(template);
  // A template this instance did not compile: its blocks (if any) refuse to render, naming why.
  if (registration === undefined) return trim ? template(context, runtime).trim() : template(context, runtime);
  const state = new RenderState(registration, {
    runtimeHelpers: runtime.helpers,
    session,
    stats,
    prototypeAccess: runtime.allowProtoPropertiesByDefault === true || runtime.allowedProtoProperties !== undefined,
  });
  const render = () => withFrame(registration, state, () => template(context, runtime));
  const output = render();
  if (state.items.length === 0) {
    if (exports !== undefined) Object.assign(exports, state.pageExports());
    return trim ? output.trim() : output;
  }
  try {
    const html = await resolveRender(state, output, render, trim, bytes);
    state.end();
    if (exports !== undefined) Object.assign(exports, state.pageExports());
    return html;
  } catch (error) {
    state.end(error);
    throw error;
  }
}
