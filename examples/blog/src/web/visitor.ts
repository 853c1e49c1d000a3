import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/**
 * Who is asking: a random visitor id in a cookie, the CSRF token derived from it,
 * and the name they last commented under. All of it is per-user, so it is rendered
 * only outside cached blocks: a cached fragment is served to every visitor.
 */
export interface Visitor {
  /** Random id, from the `visitor` cookie. */
  readonly id: string;
  /** HMAC of the id: forms carry it, POSTs must echo it. */
  readonly csrfToken: string;
  /** The name from the `author` cookie, if they commented before. */
  readonly name: string | undefined;
}

const VISITOR_COOKIE = 'visitor';
const AUTHOR_COOKIE = 'author';
const ID = /^[A-Za-z0-9_-]{22}$/;

/** Reads one cookie from the Cookie header (no dependency for a two-cookie app). */
function readCookie(request: Request, name: string): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = pair.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(rest.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Middleware: puts `res.locals.visitor`, issuing a visitor cookie on the first visit. */
export function visitorMiddleware(secret: string) {
  const sign = (id: string) => createHmac('sha256', secret).update(id).digest('base64url');
  return (request: Request, response: Response, next: NextFunction) => {
    let id = readCookie(request, VISITOR_COOKIE);
    if (!id || !ID.test(id)) {
      id = randomBytes(16).toString('base64url');
      response.cookie(VISITOR_COOKIE, id, { httpOnly: true, sameSite: 'lax', path: '/' });
    }
    const visitor: Visitor = { id, csrfToken: sign(id), name: readCookie(request, AUTHOR_COOKIE) || undefined };
    response.locals.visitor = visitor;
    next();
  };
}

/** Middleware for POST routes: a request without this visitor's token is refused with 403. */
export function requireCsrfToken(request: Request, response: Response, next: NextFunction) {
  const visitor = response.locals.visitor as Visitor;
  const sent = typeof request.body?._csrf === 'string' ? request.body._csrf : '';
  const expected = Buffer.from(visitor.csrfToken);
  const given = Buffer.from(sent);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    response
      .status(403)
      .type('text/plain')
      .send('Forbidden: the form is stale or was not sent from this site; reload the page.');
    return;
  }
  next();
}

/** Remembers the name a visitor commented under (per-user, so never inside a cached block). */
export function rememberAuthor(response: Response, name: string): void {
  response.cookie(AUTHOR_COOKIE, name, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 365 * 24 * 3600 * 1000 });
}
