import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CacheBackend, createSweeper, memoryBackend, type Sweeper } from '@cachesweeper/core';
import { create } from 'express-handlebars';
import Handlebars from 'handlebars';
import { cachesweeperEngine, registerCacheSweeper, renderCached } from '../src';
import type { Node } from './generators';
import { uncachedHandlebars } from './support';

type HandlebarsInstance = typeof Handlebars;
type BlockOptions = { fn(context: unknown): string; data?: { root?: Record<string, unknown> } };

/** The page a generated template renders: not a row; it holds the tree, a title, a loader and what `assign` writes. */
export interface Page {
  title: string;
  node: Node;
  load: (target: object) => object;
  current?: unknown;
}

/**
 * A fresh page over the tree (every render gets its own: `assign` writes to it). Its
 * loader loads a row by id, as a real one would: what it returns depends on the row,
 * not on the object the block was keyed by (a partial's extended context, say).
 */
export function pageOf(tree: Node, title: string): Page {
  const byId = new Map<unknown, Node>();
  const visit = (row: Node) => {
    byId.set(row.id, row);
    row.children.forEach(visit);
  };
  visit(tree);
  return { title, node: tree, load: (target) => ({ ...byId.get((target as { id?: unknown }).id) }) };
}

/**
 * The generated templates' helpers, none of them aware of the cache: two that rewrite
 * their block, one that assigns to the page, a loop that reuses one object for every
 * item, and one that renders another template compiled by the same instance (`w`).
 */
export function registerHelpers(handlebars: HandlebarsInstance, widget: string): void {
  const rendered = handlebars.compile(widget);
  handlebars.registerHelper({
    lower(this: unknown, options: BlockOptions) {
      return options.fn(this).toLowerCase();
    },
    squash(this: unknown, options: BlockOptions) {
      return options.fn(this).replace(/\s+/g, ' ');
    },
    assign(key: string, value: unknown, options: BlockOptions) {
      const root = options.data?.root;
      if (root !== undefined) root[key] = value;
      return '';
    },
    loop(items: object[] | undefined, options: BlockOptions) {
      const shared: Record<string, unknown> = {};
      return (items ?? []).map((item) => options.fn(Object.assign(shared, item))).join('');
    },
    render(row: unknown) {
      return new handlebars.SafeString(rendered(row));
    },
  });
}

/** Plain Handlebars, the block helper just rendering its body: the reference. */
export function reference(source: string, partials: Record<string, string>) {
  const handlebars = uncachedHandlebars(partials);
  registerHelpers(handlebars, partials.w as string);
  const template = handlebars.compile(source);
  return (page: Page) => template(page);
}

/** Counts the fallbacks reported (unaware helpers are expected here: they are counted, not warned about). */
export const fallbacks = { count: 0 };
const countFallback = (error: Error) => {
  if (process.env.SHOW_FALLBACKS) console.log('FALLBACK', error.message);
  fallbacks.count++;
};

/** A registered instance on its own sweeper, with the partials and helpers. */
export function cachedInstance(partials: Record<string, string>, backend: CacheBackend = memoryBackend()) {
  const handlebars = Handlebars.create();
  const sweeper = createSweeper({ backend });
  registerCacheSweeper(handlebars, sweeper, { onFallback: countFallback });
  for (const [name, source] of Object.entries(partials)) handlebars.registerPartial(name, source);
  registerHelpers(handlebars, partials.w as string);
  return { handlebars, sweeper };
}

/** The express-handlebars engine over a views folder, rendering one generated view per case. */
export class EngineHarness {
  readonly #views = mkdtempSync(join(tmpdir(), 'cachesweeper-property-'));
  #cases = 0;

  /** An engine for one case: its own instance and sweeper, the view written to a file of its own (`done` removes it). */
  engineFor(
    source: string,
    partials: Record<string, string>,
  ): { render(page: Page): Promise<string>; sweeper: Sweeper; done(): void } {
    const sweeper = createSweeper();
    const exphbs = cachesweeperEngine(
      create({ handlebars: Handlebars.create(), extname: '.hbs', partialsDir: [], defaultLayout: undefined }),
      sweeper,
      { onFallback: countFallback },
    );
    const handlebars = exphbs.handlebars as HandlebarsInstance;
    for (const [name, partial] of Object.entries(partials)) handlebars.registerPartial(name, partial);
    registerHelpers(handlebars, partials.w as string);
    const view = join(this.#views, `case-${this.#cases++}.hbs`);
    writeFileSync(view, source);
    return {
      sweeper,
      done: () => unlinkSync(view),
      render: async (page) => String(await exphbs.renderView(view, { ...page, layout: false, cache: true } as never)),
    };
  }

  /** Removes the views folder. */
  close(): void {
    rmSync(this.#views, { recursive: true, force: true });
  }
}

/** Renders through `renderCached`, quietly (fallbacks are expected here: unaware helpers). */
export function cachedRender(handlebars: HandlebarsInstance, source: string) {
  const template = handlebars.compile(source);
  return (page: Page) => renderCached(template, page);
}
