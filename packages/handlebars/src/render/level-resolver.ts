import { collectNested, type NestedCollector, type NestedToken, type SweeperSession } from '@cachesweeper/core';
import { renderBody } from './block';
import { inCapturedContainer } from './capture';
import { type Loaded, startLoad } from './loaders';
import { blockError } from './location';
import { joinCut } from './placeholders';
import { type CacheBlock, type Cut, type DeferredItem, INLINE_MODE, type RenderState, STATE_KEY } from './render-state';

/**
 * Resolves the placeholders of a render's output, one nesting level at a time: one
 * `lookupPlanned` per level (one token round, one fragment round) for every block
 * of the level; hits are spliced in, misses run their loaders (all of the level at
 * once), render, and their nested blocks form the next level. Each missed block is
 * rendered once per process (core's single-flight) and stored in the background.
 * Resolves `undefined` when an enclosing helper dropped or rewrote a placeholder at
 * the top level (the caller then renders the page without the cache).
 */
export async function resolveRender(state: RenderState, output: string): Promise<string | undefined> {
  const top = state.cut(output, 0);
  if (top === undefined) return undefined;
  try {
    await resolveLevel(state, blocksOf(top), 1);
  } catch (error) {
    state.abandon(error);
    throw error;
  }
  return htmlOfCut(top);
}

async function resolveLevel(state: RenderState, blocks: readonly CacheBlock[], depth: number): Promise<void> {
  if (blocks.length === 0) return;
  const { sweeper } = state.registration;
  const session = state.session;
  const lookups = await sweeper.lookupPlanned(
    blocks.map((block) => block.planned),
    session,
  );
  const misses: CacheBlock[] = [];
  const joined: Promise<void>[] = [];
  let leads = false;
  blocks.forEach((block, index) => {
    const { key, html, nested } = lookups[index] ?? { key: undefined, html: undefined };
    if (html !== undefined) {
      block.html = html;
      block.nested = nested ?? [];
      return;
    }
    if (key === undefined) {
      block.nested = null;
      // The cache could not be used for this block: share a render of it with
      // concurrent pages (core decides whether its data is fresh enough to share).
      follow(
        sweeper.renderUncached(
          block.planned,
          deferredRender(block, () => (leads = true)),
          session,
        ),
        block,
      );
      return;
    }
    // A key this page already renders at a shallower level (a block nested in itself)
    // would wait for itself: render it without the cache.
    if ((state.leading.get(key) ?? depth) < depth) {
      misses.push(block);
      return;
    }
    follow(
      sweeper.renderMiss(
        key,
        block.planned.ttlSeconds,
        deferredRender(block, () => (leads = true)),
        session,
        () => block.nested ?? null,
      ),
      block,
      key,
    );
  });
  await renderMisses(state, misses, depth);
  await Promise.all(joined);

  /** Renders the block here when this page leads the flight, else waits for the other render. */
  function follow(flight: Promise<string>, block: CacheBlock, key?: string): void {
    if (leads) {
      leads = false;
      if (key !== undefined && !state.leading.has(key)) state.leading.set(key, depth);
      // This render settles the flight itself; a failure reaches the page through its own path.
      flight.catch(() => {});
      misses.push(block);
    } else if (depth > 1 && (key === undefined || !state.leading.has(key))) {
      // Below the first level this page holds renders of its own that others may wait
      // for; waiting for another page's render here could close a cycle (two pages
      // nesting the same fragments in opposite orders). Render it here.
      flight.catch(() => {});
      misses.push(block);
    } else {
      // Another render (of this page or a concurrent one) is rendering this fragment;
      // if it fails, render it here.
      joined.push(
        flight.then(
          (html) => {
            block.html = html;
            // Core checked its nested counters against this page's, but does not hand them over.
            block.nested = null;
          },
          () => renderMisses(state, [block], depth),
        ),
      );
    }
  }
}

/** A render whose result the resolver supplies later (through `block.settle`); tells the caller it leads. */
function deferredRender(block: CacheBlock, onLead: () => void): () => Promise<string> {
  return () => {
    onLead();
    return new Promise<string>((resolve, reject) => {
      block.settle = { resolve, reject };
    });
  };
}

async function renderMisses(state: RenderState, blocks: readonly CacheBlock[], depth: number): Promise<void> {
  if (blocks.length === 0) return;
  // Every loader of the level starts in this turn, so a batching loader (DataLoader)
  // can answer all of them with one query.
  const loads = blocks.map((block) =>
    block.loader === undefined ? undefined : startLoad(block.loader, block.target, block.context),
  );
  const loaded: (Loaded | undefined)[] = loads.some((load) => load !== undefined) ? await Promise.all(loads) : [];
  const children: CacheBlock[] = [];
  const nestedIn = new Map<CacheBlock, readonly CacheBlock[]>();
  blocks.forEach((block, index) => {
    const value = loaded[index];
    const first = state.items.length;
    const raw = inCapturedContainer(block.fn, () => renderBody(block, value));
    const cut = state.cut(raw, first);
    if (cut !== undefined) {
      block.cut = cut;
      const nested = blocksOf(cut);
      nestedIn.set(block, nested);
      state.registration.sweeper.rememberNested(
        block.planned,
        nested.map((child) => child.planned),
      );
      for (const child of nested) children.push(child);
    } else {
      state.registration.fallback(
        blockError(
          block.where,
          'a helper inside this block changed or dropped the output of a cached block in it (wrap such a helper with transformBlockOutput); rendered this block without the cache',
        ),
      );
      block.html = renderInPlace(block, value);
    }
  });
  await resolveLevel(state, children, depth + 1);
  for (const block of blocks) {
    block.html ??= htmlOfCut(block.cut as Cut);
    block.nested = nestedTokensOf(nestedIn.get(block), state.session);
    block.settle?.resolve(block.html);
    block.settle = undefined;
  }
}

/**
 * The counters of every cached fragment inside a rendered block, at any depth, with the
 * tokens this render keyed them by: the block's cached copy is served only while they
 * hold. `null` when the block was rendered in place (`children` unknown) or a fragment
 * inside it had no key.
 */
function nestedTokensOf(
  children: readonly CacheBlock[] | undefined,
  session: SweeperSession,
): readonly NestedToken[] | null {
  if (children === undefined) return null;
  const collector: NestedCollector = { tokens: new Map(), complete: true };
  for (const child of children) {
    if (child.nested === undefined || child.nested === null) return null;
    collectNested(collector, child.planned, session, child.nested);
  }
  return collector.complete ? [...collector.tokens] : null;
}

/** Renders a block and everything in it in place, without the cache. */
function renderInPlace(block: CacheBlock, loaded: Loaded | undefined): string {
  const data = { ...(block.data as object), [STATE_KEY]: INLINE_MODE };
  return inCapturedContainer(block.fn, () => renderBody({ ...block, data }, loaded));
}

/** The cached blocks behind a cut's placeholders, looking through transforms; each once. */
function blocksOf(cut: Cut): CacheBlock[] {
  const found = new Set<CacheBlock>();
  const visit = (refs: readonly DeferredItem[]) => {
    for (const item of refs) {
      if (item.kind === 'block') found.add(item);
      else if (item.cut !== undefined) visit(item.cut.refs);
    }
  };
  visit(cut.refs);
  return [...found];
}

function htmlOfCut(cut: Cut): string {
  return joinCut(cut.texts, cut.refs.map(htmlOf));
}

function htmlOf(item: DeferredItem): string {
  if (item.kind === 'transform') {
    item.html ??= item.transform(htmlOfCut(item.cut as Cut));
    return item.html;
  }
  return item.html as string;
}
