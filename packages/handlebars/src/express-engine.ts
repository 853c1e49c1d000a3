import { AsyncLocalStorage } from 'node:async_hooks';
import { relative, resolve } from 'node:path';
import {
  CacheSweeperError,
  describeValue,
  type Sweeper,
  type SweeperSession,
  type SweeperStats,
} from '@cachesweeper/core';
import Handlebars from 'handlebars';
import { HeldFragmentBytes, type HeldFragmentBytesOptions } from './bytes/held-fragment-bytes';
import type { PageBody } from './bytes/page-body';
import type { PageBytes } from './bytes/page-bytes';
import { COMPONENT, reasonOf } from './location';
import { type CacheSweeperOptions, registerCacheSweeper } from './registration';
import { type CompiledTemplate, type RenderCachedOptions, renderCached } from './render/render-cached';
import { RENDER_TRACE } from './render/render-state';
import type { HandlebarsEnvironment } from './types';

/** The parts of an `ExpressHandlebars` instance (express-handlebars 8) the engine wraps. */
export interface ExpressHandlebarsLike {
  /** The Handlebars instance it compiles with (checked when wrapping). */
  handlebars: unknown;
  /** Express's view engine function. */
  engine: unknown;
  /** Renders a view in its layout. */
  renderView(viewPath: string, options?: unknown, callback?: unknown): Promise<unknown>;
  /** Reads and compiles a view, layout or partial file (wrapped to name the file in errors). */
  getTemplate?(filePath: string, options?: unknown): Promise<unknown>;
}

/** Options of `cachesweeperEngine`: those of `registerCacheSweeper`, plus per-page stats. */
export interface CacheSweeperEngineOptions extends CacheSweeperOptions {
  /** Returns the counters of the page being rendered (e.g. from `res.locals`), if you collect them. */
  readonly stats?: (locals: Record<string, unknown>) => SweeperStats | undefined;
  /**
   * Returns an object to receive what the page's blocks exported (`{{cachesweeperExport}}`),
   * e.g. one the route put in `res.locals`, so the route can read them once the view is
   * rendered (a status, a redirect). The layout gets them either way.
   */
  readonly exports?: (locals: Record<string, unknown>) => Record<string, unknown> | undefined;
  /**
   * How much of the cached fragments' UTF-8 bytes the engine keeps, for the pages sent as
   * bytes (`cachesweeperResponses`). Default: 32 MiB.
   */
  readonly heldBytes?: HeldFragmentBytesOptions;
}

/**
 * A render option: with it `true`, the engine hands the page to the render's callback as
 * a `PageBody`, its large cached fragments as their held bytes (see
 * `cachesweeperResponses`, which sets it on renders without a callback). For a route
 * that renders with a callback: `res.render(view, { ...locals, [PAGE_AS_BYTES]: true },
 * (error, page) => sendPage(res, page))`.
 */
export const PAGE_AS_BYTES = '__cachesweeperPageBytes';

// Carry the page's session and exports from renderView to the view's and the layout's render.
const SESSION_KEY = '__cachesweeperSession';
const EXPORTS_KEY = '__cachesweeperExports';
const BYTES_KEY = '__cachesweeperBytes';

type RenderCallback = (error: unknown, html?: string | PageBody) => void;

/**
 * Makes an express-handlebars instance render cached blocks in batches: registers
 * the helper on its Handlebars instance, renders each view and layout with
 * `renderCached`, and gives the whole page (view, layout, partials) one sweeper
 * session, so a row's token is read once per page. Returns the same instance; pass
 * its `engine` to Express.
 *
 * @example
 * const hbs = cachesweeperEngine(create({ handlebars: Handlebars.create(), extname: '.hbs' }), sweeper);
 * app.engine('.hbs', hbs.engine);
 */
export function cachesweeperEngine<T extends ExpressHandlebarsLike>(
  exphbs: T,
  sweeper: Sweeper,
  options: CacheSweeperEngineOptions = {},
): T {
  const wrapped = exphbs as T & { _renderTemplate?: unknown };
  if (
    wrapped === null ||
    typeof wrapped !== 'object' ||
    typeof wrapped.renderView !== 'function' ||
    typeof wrapped._renderTemplate !== 'function'
  ) {
    throw new CacheSweeperError(
      COMPONENT,
      `cachesweeperEngine: first argument must be an ExpressHandlebars instance (create({ handlebars: Handlebars.create() })), got ${describeValue(exphbs)}`,
    );
  }
  if (wrapped.handlebars === (Handlebars as unknown)) {
    throw new CacheSweeperError(
      COMPONENT,
      'cachesweeperEngine: this ExpressHandlebars instance compiles with the global Handlebars; give it its own, create({ handlebars: Handlebars.create(), … }), so the helper is not registered globally',
    );
  }
  const { stats, exports: exportsOf, heldBytes: heldBytesOptions, ...registerOptions } = options;
  const heldBytes = new HeldFragmentBytes(heldBytesOptions);
  registerCacheSweeper(wrapped.handlebars as HandlebarsEnvironment, sweeper, registerOptions);

  nameCompiledFiles(wrapped);
  const renderView = wrapped.renderView.bind(wrapped);
  wrapped.renderView = (viewPath: string, locals?: unknown, callback?: unknown) => {
    if (typeof locals === 'function') return wrappedRenderView(viewPath, {}, locals as RenderCallback);
    return wrappedRenderView(
      viewPath,
      (locals ?? {}) as Record<string, unknown>,
      callback as RenderCallback | undefined,
    );
  };
  const wrappedRenderView = (viewPath: string, locals: Record<string, unknown>, callback?: RenderCallback) => {
    const pageStats = stats?.(locals);
    // One span for the page, view and layout: what a tracing backend shows under the request.
    const trace = { ...RENDER_TRACE, attributes: { 'cachesweeper.view': displayPath(viewPath) } };
    const session = sweeper.session({ ...(pageStats ? { stats: pageStats } : {}), trace, keepsUnchanged: true });
    const exported = exportsOf?.(locals) ?? {};
    // Asked by `cachesweeperResponses`: the callback takes bytes (Express's own would send them as a download).
    const bytes = locals[PAGE_AS_BYTES] === true ? heldBytes.page() : undefined;
    const data = {
      ...(locals.data as Record<string, unknown> | undefined),
      [SESSION_KEY]: session,
      [EXPORTS_KEY]: exported,
      ...(bytes ? { [BYTES_KEY]: bytes } : {}),
    };
    const render = (done: RenderCallback) =>
      renderView(viewPath, { ...locals, data }, (error: unknown, html?: string) => {
        session.end(error ?? undefined);
        if (bytes === undefined || error !== null || html === undefined) return done(error, html);
        let page: PageBody;
        try {
          page = bytes.toBody(html);
        } catch (failure) {
          return done(failure);
        }
        done(null, page);
      });
    if (callback !== undefined) return render(callback);
    return new Promise<unknown>((resolve, reject) => {
      render((error, html) => (error === null || error === undefined ? resolve(html) : reject(error)));
    });
  };
  wrapped._renderTemplate = async (
    template: CompiledTemplate,
    context: unknown,
    renderOptions: Record<string, unknown> = {},
  ) => {
    const data = renderOptions.data as Record<string, unknown> | undefined;
    const session = data?.[SESSION_KEY] as SweeperSession | undefined;
    const exported = data?.[EXPORTS_KEY] as Record<string, unknown> | undefined;
    const bytes = data?.[BYTES_KEY] as PageBytes | undefined;
    try {
      // express-handlebars renders the view, then the layout: the layout sees what the view's blocks exported.
      const withExports = exported === undefined ? context : withExported(context, exported);
      // express-handlebars trims each rendering: trim after resolving, as it would have inline (by the pieces).
      const options = {
        ...(renderOptions as RenderCachedOptions),
        session,
        trim: true,
        ...(exported ? { exports: exported } : {}),
        ...(bytes ? { bytes } : {}),
      };
      return await renderCached(template, withExports, options);
    } catch (error) {
      throw withFileName(error, (data?.exphbs as { filePath?: unknown } | undefined)?.filePath);
    }
  };
  wrapped.engine = wrapped.renderView;
  return exphbs;
}

/**
 * Compiles every view, layout and partial file the engine reads with its path as
 * Handlebars' `srcName`, so a block's errors name its file as well as its line
 * (template digests leave `srcName` out: keys do not depend on where files sit).
 */
function nameCompiledFiles(exphbs: ExpressHandlebarsLike & { _compileTemplate?: unknown }): void {
  const { getTemplate, _compileTemplate: compileTemplate } = exphbs;
  if (typeof getTemplate !== 'function' || typeof compileTemplate !== 'function') return;
  // express-handlebars compiles a file in a continuation of the getTemplate call that read it.
  const files = new AsyncLocalStorage<string>();
  exphbs.getTemplate = (filePath: string, options?: unknown) =>
    files.run(displayPath(filePath), () => getTemplate.call(exphbs, filePath, options));
  exphbs._compileTemplate = (template: string, options?: object) => {
    const srcName = files.getStore();
    return compileTemplate.call(exphbs, template, srcName === undefined ? options : { ...options, srcName });
  };
}

/** A file path as errors show it: relative to the working directory when inside it. */
function displayPath(filePath: string): string {
  const absolute = resolve(filePath);
  const inside = relative(process.cwd(), absolute);
  return inside === '' || inside.startsWith('..') ? absolute : inside;
}

/** A cachesweeper error from rendering `filePath`, naming that file when its message does not. */
function withFileName(error: unknown, filePath: unknown): unknown {
  if (!(error instanceof CacheSweeperError) || typeof filePath !== 'string') return error;
  const file = displayPath(filePath);
  if (error.message.includes(JSON.stringify(file))) return error;
  return new CacheSweeperError(error.component, `${reasonOf(error)} (rendering ${JSON.stringify(file)})`, {
    cause: error,
  });
}

/** The layout's context: the view's exports fill the names the route's locals left undefined. */
function withExported(context: unknown, exported: Record<string, unknown>): unknown {
  const names = Object.keys(exported);
  if (names.length === 0 || context === null || typeof context !== 'object') return context;
  const filled: Record<string, unknown> = { ...(context as Record<string, unknown>) };
  for (const name of names) if (filled[name] === undefined) filled[name] = exported[name];
  return filled;
}
