import type { PageBytes } from '../bytes/page-bytes';
import { registrationOf } from './template-registration';

/**
 * Renders a layout whose `body` holds markers of the page's cached fragments. The
 * markers are kept only when the layout inserts the body as it is: its source mentions
 * `body` once, as `{{{body}}}` at its top level (checked when it was compiled), nothing
 * read `body` but that (a helper reading `this.body`, a partial, `@root.body`: each read
 * is counted), and every marker came out once, undamaged, in order. Otherwise the
 * layout renders again with the real body, so its output is what it would have been.
 */
export async function withBody(
  template: unknown,
  context: object,
  body: string,
  bytes: PageBytes,
  render: (context: object) => Promise<string>,
): Promise<string> {
  const expanded = () => render({ ...context, body: bytes.expand(body) });
  if (registrationOf(template)?.bodyInserting.has(template as object) !== true) return expanded();
  const markers = bytes.markersIn(body);
  if (markers === undefined) return expanded();
  let reads = 0;
  // A copy of the layout's context whose body counts its reads (a spread keeps its fast shape; the prototype is put back).
  const counted: object = { ...context };
  const prototype = Object.getPrototypeOf(context) as object | null;
  if (prototype !== Object.prototype) Object.setPrototypeOf(counted, prototype);
  Object.defineProperty(counted, 'body', {
    configurable: true,
    enumerable: true,
    get: () => {
      reads++;
      return body;
    },
  });
  // The layout's own blocks add markers numbered from here.
  const before = bytes.count;
  const html = await render(counted);
  const seen = bytes.markersIn(html)?.filter((index) => index < before);
  const kept = reads === 1 && seen !== undefined && sameIndices(seen, markers);
  return kept ? html : expanded();
}

function sameIndices(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
