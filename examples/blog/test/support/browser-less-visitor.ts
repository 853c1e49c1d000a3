/** A visitor with a cookie jar, speaking HTTP the way a browser's forms do. */
export class HttpVisitor {
  readonly #cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  /** GETs a page; returns its status and HTML. */
  async get(path: string): Promise<{ status: number; html: string }> {
    const response = await fetch(this.baseUrl + path, { headers: this.#headers(), redirect: 'manual' });
    this.#remember(response);
    return { status: response.status, html: await response.text() };
  }

  /** POSTs a form; returns its status, its HTML and where it redirects. */
  async post(
    path: string,
    fields: Record<string, string>,
  ): Promise<{ status: number; html: string; location: string | null }> {
    const response = await fetch(this.baseUrl + path, {
      method: 'POST',
      headers: { ...this.#headers(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });
    this.#remember(response);
    return { status: response.status, html: await response.text(), location: response.headers.get('location') };
  }

  /**
   * Adds a comment to an article as its form does, with the token of the article page this
   * visitor viewed last (`page`); returns the POST's status, HTML and redirect.
   */
  addComment(
    articleId: number,
    page: { html: string },
    fields: { author: string; body: string },
  ): Promise<{ status: number; html: string; location: string | null }> {
    return this.post(`/articles/${articleId}/comments`, { _csrf: HttpVisitor.csrfTokenIn(page.html), ...fields });
  }

  /** The CSRF token the last page handed this visitor. */
  static csrfTokenIn(html: string): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!match?.[1]) throw new Error('no CSRF token on the page');
    return match[1];
  }

  #headers(): Record<string, string> {
    const cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    return cookie ? { cookie } : {};
  }

  #remember(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (name) this.#cookies.set(name.trim(), value.join('='));
    }
  }
}

/** Reads the per-page cache figures the blog prints in its panel. */
export function panelFigures(html: string): {
  hits: number;
  kept: number;
  misses: number;
  uncached: number;
  roundTrips: number;
  backgroundWrites: number;
  queuedStores: number;
} {
  const figure = (id: string) => Number(new RegExp(`id="cache-${id}">(\\d+)<`).exec(html)?.[1] ?? Number.NaN);
  return {
    hits: figure('hits'),
    kept: figure('kept'),
    misses: figure('misses'),
    uncached: figure('uncached'),
    roundTrips: figure('round-trips'),
    backgroundWrites: figure('background-writes'),
    queuedStores: figure('queued-stores'),
  };
}

/** The like count a page shows for a comment. */
export function likesOf(html: string, commentId: number): number {
  const item = new RegExp(`id="comment-${commentId}"[\\s\\S]*?class="likes">(\\d+)<`).exec(html);
  return Number(item?.[1] ?? Number.NaN);
}
