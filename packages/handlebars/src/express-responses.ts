import { PAGE_ETAG } from './bytes/page-bytes';
import { PAGE_AS_BYTES } from './express-engine';

/** The parts of an Express response the middleware uses. */
interface ResponseLike {
  render(view: string, options?: object | RenderDone, callback?: RenderDone): void;
  get(field: string): string | undefined;
  set(field: string, value: string): unknown;
  type(type: string): unknown;
  send(body?: unknown): unknown;
}

/** The parts of an Express request the middleware uses. */
interface RequestLike {
  readonly app?: { get(setting: string): unknown };
  readonly next?: Next;
}

type RenderDone = (error: Error | null, page?: string | Buffer) => void;
type Next = (error?: unknown) => void;

/**
 * Express middleware: `res.render(view, locals)` without a callback asks an engine made
 * by `cachesweeperEngine` for the page as bytes, and sends them as HTML. The page's large
 * cached fragments are then written from UTF-8 bytes the engine encoded once, instead of
 * V8 copying the page into one string and encoding it for every response (on a fully
 * cached page of 550 KB, most of the server's time), and its ETag is made from their
 * held digests instead of hashing the page. A page a route got as bytes through its
 * callback (`PAGE_AS_BYTES`) and sends with `res.send` gets its type and ETag too. Other
 * engines, and renders with a callback that did not ask for bytes, are left as they are.
 *
 * @example
 * app.use(cachesweeperResponses());
 */
export function cachesweeperResponses(): (request: unknown, response: unknown, next: Next) => void {
  return (request, response, next) => {
    const req = request as RequestLike;
    const res = response as ResponseLike;
    const { render, send } = res;
    res.render = function renderAsBytes(this: ResponseLike, view, options, callback) {
      if (typeof options === 'function' || callback !== undefined) return render.call(this, view, options, callback);
      render.call(this, view, { ...options, [PAGE_AS_BYTES]: true }, (error, page) => {
        // As Express's own callback does: the error goes to the route's next.
        if (error) return (req.next ?? next)(error);
        this.send(page);
      });
    };
    res.send = function sendPage(this: ResponseLike, body?: unknown) {
      const etag = Buffer.isBuffer(body) ? (body as { [PAGE_ETAG]?: string })[PAGE_ETAG] : undefined;
      if (etag !== undefined) {
        if (!this.get('Content-Type')) this.type('html');
        // Express's default ETags are weak ones of the bytes; an app that chose others (or none) keeps its choice.
        const setting = req.app?.get('etag');
        if ((setting === 'weak' || setting === true) && !this.get('ETag')) this.set('ETag', etag);
      }
      return send.call(this, body);
    };
    next();
  };
}
