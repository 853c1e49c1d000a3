import { PageBody } from './bytes/page-body';
import { PAGE_AS_BYTES } from './express-engine';

/** The parts of an Express request the responses use. */
interface RequestLike {
  readonly app?: { get(setting: string): unknown };
  readonly method?: string;
  readonly fresh?: boolean;
  readonly next?: Next;
}

/** The parts of an Express response the responses use. */
interface ResponseLike {
  readonly req?: RequestLike;
  statusCode: number;
  render(view: string, options?: object | RenderDone, callback?: RenderDone): void;
  get(field: string): string | undefined;
  set(field: string, value: string): unknown;
  removeHeader(field: string): void;
  status(code: number): unknown;
  type(type: string): unknown;
  send(body?: unknown): unknown;
  cork(): void;
  uncork(): void;
  write(chunk: Buffer): boolean;
  end(): unknown;
}

type RenderDone = (error: Error | null, page?: string | PageBody) => void;
type Next = (error?: unknown) => void;

/**
 * Express middleware: `res.render(view, locals)` without a callback asks an engine made
 * by `cachesweeperEngine` for the page as bytes (`PAGE_AS_BYTES`) and sends it with
 * `sendPage`, and `res.send(page)` sends a `PageBody` the same way. The page's large
 * cached fragments are then written from UTF-8 bytes the engine encoded once, not
 * copied into one string, encoded and hashed for every response (on a fully cached page
 * of 550 KB, most of the server's time). Other engines, and renders with a callback that
 * did not ask for bytes, are left as they are.
 *
 * @example
 * app.use(cachesweeperResponses());
 */
export function cachesweeperResponses(): (request: unknown, response: unknown, next: Next) => void {
  return (request, response, next) => {
    const res = response as ResponseLike;
    const { render, send } = res;
    res.render = function renderAsBytes(this: ResponseLike, view, options, callback) {
      if (typeof options === 'function' || callback !== undefined) return render.call(this, view, options, callback);
      render.call(this, view, { ...options, [PAGE_AS_BYTES]: true }, (error, page) => {
        // As Express's own callback does: the error goes to the route's next.
        if (error) return ((request as RequestLike).next ?? next)(error);
        sendPage(this, page);
      });
    };
    res.send = function sendOrSendPage(this: ResponseLike, body?: unknown) {
      return body instanceof PageBody ? sendPage(this, body) : send.call(this, body);
    };
    next();
  };
}

/**
 * Sends a page as Express's `res.send` sends a Buffer — type (HTML unless set), length,
 * ETag where the app uses Express's default weak ones (the page's own, made of its
 * pieces' digests), 304 for a fresh conditional request, no body for HEAD — but writes
 * the page's pieces one after the other instead of one copy of them. Anything but a
 * `PageBody` goes to `res.send` as it is.
 */
export function sendPage(response: unknown, page: unknown): void {
  const res = response as ResponseLike;
  if (!(page instanceof PageBody)) {
    res.send(page);
    return;
  }
  const req = res.req;
  if (!res.get('Content-Type')) res.type('html');
  res.set('Content-Length', String(page.length));
  const setting = req?.app?.get('etag');
  if ((setting === 'weak' || setting === true) && !res.get('ETag')) res.set('ETag', page.etag);
  if (req?.fresh === true) res.status(304);
  if (res.statusCode === 204 || res.statusCode === 304 || res.statusCode === 205) {
    res.removeHeader('Content-Type');
    res.removeHeader('Transfer-Encoding');
    if (res.statusCode === 205) res.set('Content-Length', '0');
    else res.removeHeader('Content-Length');
    res.end();
    return;
  }
  if (req?.method === 'HEAD') {
    res.end();
    return;
  }
  // Corked, the pieces leave in one write of the socket, with the headers.
  res.cork();
  for (const piece of page.pieces) res.write(piece);
  res.end();
  res.uncork();
}
