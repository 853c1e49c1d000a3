import { createSweeper, type TargetRef } from '@cachesweeper/core';
import { create } from 'express-handlebars';
import Handlebars from 'handlebars';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { cachesweeperEngine, type Loader, registerCacheSweeper, renderCached } from '../src';

// The types are checked by `pnpm typecheck` (tsc includes test/): a loader typed for its
// own target, context and data must be accepted where loaders are given.

interface ArticleData {
  readonly id: number;
  readonly title: string;
}

interface ArticlePage {
  readonly title: string;
  readonly comments: readonly string[];
}

const articlePage: Loader<TargetRef, ArticlePage, { article: ArticleData }> = async (target, context) => ({
  title: `${context.article.title} (${String(target.id)})`,
  comments: ['first'],
});

/** A loader written without the `Loader` type, as users write them. */
async function commentCount(target: TargetRef & { id: number }): Promise<number> {
  return target.id * 2;
}

describe('Loader<TTarget, TData, TContext>', () => {
  it('types the target, the context and the data a loader returns', () => {
    expectTypeOf(articlePage).parameter(0).toEqualTypeOf<TargetRef>();
    expectTypeOf(articlePage).parameter(1).toEqualTypeOf<{ article: ArticleData }>();
    expectTypeOf(articlePage).returns.toEqualTypeOf<ArticlePage | Promise<ArticlePage>>();
  });

  it('accepts typed loaders in the loaders of registerCacheSweeper and of the engine', () => {
    const loaders = { articlePage, commentCount };
    const handlebars = Handlebars.create();
    const registration = registerCacheSweeper(handlebars, createSweeper(), { loaders });
    expect(registration.helperName).toBe('cachesweeper');
    const engine = cachesweeperEngine(create({ handlebars: Handlebars.create() }), createSweeper(), { loaders });
    expect(typeof engine.engine).toBe('function');
  });

  it('still refuses a loader that is not a function, at compile time and at run time', () => {
    const handlebars = Handlebars.create();
    // @ts-expect-error a loader is a function
    expect(() => registerCacheSweeper(handlebars, createSweeper(), { loaders: { page: 'nope' } })).toThrow(
      /loader "page" must be a function, got "nope"/,
    );
  });

  it('passes a typed loader its target and context, and renders what it returned', async () => {
    const handlebars = Handlebars.create();
    registerCacheSweeper(handlebars, createSweeper(), { loaders: { articlePage } });
    const page = handlebars.compile(
      '{{#cachesweeper ref 60 "page" load="articlePage"}}{{title}}: {{#each comments}}{{this}}{{/each}}{{/cachesweeper}}',
    );
    const html = await renderCached(page, { ref: { model: 'Article', id: 7 }, article: { id: 7, title: 'Hi' } });
    expect(html).toBe('Hi (7): first');
  });
});
