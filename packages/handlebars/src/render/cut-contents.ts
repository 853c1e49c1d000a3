import type { CacheBlock, Cut, DeferredItem, RerunNode } from '../types';
import { joinCut } from './placeholders';
import { joinTrimmed } from './trim-pieces';

/** The cached blocks behind a cut's placeholders, looking through transforms and reruns; each once. */
export function blocksOf(cut: Cut): CacheBlock[] {
  const found = new Set<CacheBlock>();
  const visit = (items: readonly DeferredItem[]) => {
    for (const item of items) {
      if (item.kind === 'block') found.add(item);
      else if (item.kind === 'rerun') visit(item.inner);
      else if (item.cut !== undefined) visit(item.cut.refs);
    }
  };
  visit(cut.refs);
  return [...found];
}

/** The reruns behind a cut's placeholders, looking through transforms (a rerun's own reruns are superseded by it). */
export function rerunsOf(cut: Cut): RerunNode[] {
  const found: RerunNode[] = [];
  const visit = (items: readonly DeferredItem[]) => {
    for (const item of items) {
      if (item.kind === 'rerun') found.push(item);
      else if (item.kind === 'transform' && item.cut !== undefined) visit(item.cut.refs);
    }
  };
  visit(cut.refs);
  return found;
}

/** The final HTML of a cut whose blocks and reruns are resolved: transforms applied; `trim`: as `String#trim` would leave it, without copying the page. */
export function htmlOfCut(cut: Cut, trim = false): string {
  const htmls = cut.refs.map(htmlOf);
  if (!trim) return joinCut(cut.texts, htmls);
  const pieces: string[] = [cut.texts[0] as string];
  for (const [index, html] of htmls.entries()) pieces.push(html, cut.texts[index + 1] as string);
  return joinTrimmed(pieces);
}

function htmlOf(item: DeferredItem): string {
  if (item.kind === 'transform') {
    item.html ??= item.transform(htmlOfCut(item.cut as Cut));
    return item.html;
  }
  return item.html as string;
}
