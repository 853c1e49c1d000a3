import { CacheSweeperError, describeValue, type SweeperSession, type SweeperStats } from '@cachesweeper/core';
import type Handlebars from 'handlebars';
import { withFrame } from '../frames';
import { COMPONENT } from '../location';
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
  const { session, stats, exports, trim = false, ...runtime } = options ?? {};
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
    const html = await resolveRender(state, output, render, trim);
    state.end();
    if (exports !== undefined) Object.assign(exports, state.pageExports());
    return html;
  } catch (error) {
    state.end(error);
    throw error;
  }
}
