import { PAGE_BYTES_OPTION } from './express-engine';

/** The parts of an Express response the middleware uses. */
interface ResponseLike {
  render(view: string, options?: object | RenderDone, callback?: RenderDone): void;
  get(field: string): string | undefined;
  type(type: string): unknown;
  send(body: unknown): unknown;
}

type RenderDone = (error: Error | null, page?: string | Buffer) => void;
type Next = (error?: unknown) => void;

/**
 * Express middleware: `res.render(view, locals)` without a callback asks an engine made
 * by `cachesweeperEngine` for the page as bytes, and sends them as HTML. The page's large
 * cached fragments are then written from UTF-8 bytes the engine encoded once, instead of
 * V8 copying the page into one string and encoding it for every response (on a fully
 * cached page of 550 KB, most of the server's time). Other engines, and renders with a
 * callback (which expect a string), are left as they are.
 *
 * @example
 * app.use(cachesweeperResponses());
 */
export function cachesweeperResponses(): (request: unknown, response: unknown, next: Next) => void {
  return (request, response, next) => {
    const res = response as ResponseLike;
    const render = res.render;
    res.render = function renderAsBytes(this: ResponseLike, view, options, callback) {
      if (typeof options === 'function' || callback !== undefined) return render.call(this, view, options, callback);
      render.call(this, view, { ...options, [PAGE_BYTES_OPTION]: true }, (error, page) => {
        // As Express's own callback does: the error goes to the route's next.
        if (error) return ((request as { next?: Next }).next ?? next)(error);
        if (Buffer.isBuffer(page) && !this.get('Content-Type')) this.type('html');
        this.send(page);
      });
    };
    next();
  };
}
