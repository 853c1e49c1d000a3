import { panelFigures } from '../../../examples/blog/test/support/browser-less-visitor';
import { type BlogInstance, mainOf } from './blog-instances';

/** A page served through the cache that differs from a fresh uncached render. */
export interface StalePage {
  readonly instance: string;
  readonly path: string;
  /** Where the two differ: the cached text and the fresh text around the first difference. */
  readonly cached: string;
  readonly fresh: string;
}

/** What a round of page checks found. */
export interface PageCheckFigures {
  /** Pages rendered through the cache and compared. */
  checked: number;
  /** Of those, pages served wholly from the cache (no miss, nothing uncached). */
  wholeHits: number;
  /** Pages that did not answer 200. */
  failed: number;
  readonly stale: StalePage[];
}

/** Fresh counters for `checkPages`. */
export function emptyPageCheck(): PageCheckFigures {
  return { checked: 0, wholeHits: 0, failed: 0, stale: [] };
}

/**
 * Renders every page through each cached instance and through the uncached reference
 * (same database, same views, no cache), and records each cached page whose `<main>`
 * differs. Call it at quiescence: no write running, background stores landed.
 */
export async function checkPages(
  cached: readonly Pick<BlogInstance, 'name' | 'get'>[],
  reference: Pick<BlogInstance, 'get'>,
  paths: readonly string[],
  into: PageCheckFigures,
): Promise<void> {
  for (const path of paths) {
    const fresh = await reference.get(path);
    if (fresh.status !== 200) throw new Error(`the uncached reference answered ${fresh.status} for ${path}`);
    for (const instance of cached) {
      const page = await instance.get(path);
      into.checked += 1;
      if (page.status !== 200) {
        into.failed += 1;
        continue;
      }
      const figures = panelFigures(page.html);
      if (figures.misses === 0 && figures.uncached === 0) into.wholeHits += 1;
      const [cachedMain, freshMain] = [mainOf(page.html), mainOf(fresh.html)];
      if (cachedMain !== freshMain)
        into.stale.push({ instance: instance.name, path, ...firstDifference(cachedMain, freshMain) });
    }
  }
}

function firstDifference(cached: string, fresh: string): { cached: string; fresh: string } {
  let at = 0;
  while (at < cached.length && cached[at] === fresh[at]) at++;
  const from = Math.max(0, at - 120);
  return { cached: cached.slice(from, at + 120), fresh: fresh.slice(from, at + 120) };
}
