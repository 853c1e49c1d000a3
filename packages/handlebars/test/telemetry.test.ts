import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStats, createSweeper } from '@cachesweeper/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { create } from 'express-handlebars';
import Handlebars from 'handlebars';
import { afterAll, describe, expect, it } from 'vitest';
import { cachesweeperEngine, registerCacheSweeper, renderCached } from '../src';
import { row } from './support';

function tracing() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracerProvider, spans: () => exporter.getFinishedSpans() };
}

const source = `{{#cachesweeper article 60 "page" load=loadPage}}<h1>{{title}}</h1>
{{#each comments}}{{#cachesweeper this 60 "comment"}}<p>{{text}}</p>{{/cachesweeper}}{{/each}}{{/cachesweeper}}`;
const context = {
  article: row('Article', 1),
  loadPage: async () => ({ title: 'T', comments: [1, 2, 3].map((id) => row('Comment', id, { text: `c${id}` })) }),
};

describe('renderCached with a tracer provider', () => {
  it('gives each render one span, its cache rounds as child spans, and its figures as attributes', async () => {
    const { tracerProvider, spans } = tracing();
    const handlebars = Handlebars.create();
    const sweeper = createSweeper({ telemetry: { tracerProvider } });
    registerCacheSweeper(handlebars, sweeper);
    const page = handlebars.compile(source);
    const stats = createStats();
    await renderCached(page, context);
    await sweeper.idle();
    await renderCached(page, context, { stats });

    const renders = spans().filter((span) => span.name === 'cachesweeper render');
    expect(renders).toHaveLength(2);
    const [cold, warm] = renders;
    expect(cold?.attributes).toMatchObject({
      'cachesweeper.misses': 4,
      'cachesweeper.renders': 4,
      'cachesweeper.hits': 0,
    });
    expect(warm?.attributes).toMatchObject({
      'cachesweeper.backend': 'memory',
      'cachesweeper.hits': 1,
      'cachesweeper.misses': 0,
      'cachesweeper.round_trips': stats.roundTrips,
    });
    const childrenOf = (parent: typeof warm) =>
      spans().filter((span) => span.parentSpanContext?.spanId === parent?.spanContext().spanId);
    expect(childrenOf(warm).map((span) => span.name)).toEqual(['cachesweeper get version tokens']);
    expect(childrenOf(cold).length).toBeGreaterThanOrEqual(2);
    const [write] = spans().filter((span) => span.name === 'cachesweeper store fragments');
    expect(write?.links.map((link) => link.context.spanId)).toEqual([cold?.spanContext().spanId]);
  });
});

describe('cachesweeperEngine with a tracer provider', () => {
  const views = mkdtempSync(join(tmpdir(), 'cachesweeper-traced-views-'));
  writeFileSync(join(views, 'page.hbs'), source);
  mkdirSync(join(views, 'layouts'));
  writeFileSync(
    join(views, 'layouts/main.hbs'),
    '{{#cachesweeper article 60 "nav"}}<nav></nav>{{/cachesweeper}}{{{body}}}',
  );
  writeFileSync(join(views, 'broken.hbs'), '{{#cachesweeper article}}x{{/cachesweeper}}');
  afterAll(() => rmSync(views, { recursive: true, force: true }));

  it('gives a page (view and layout) one span naming its view, ended when the page is', async () => {
    const { tracerProvider, spans } = tracing();
    const engine = cachesweeperEngine(
      create({ handlebars: Handlebars.create(), extname: '.hbs', defaultLayout: 'main' }),
      createSweeper({ telemetry: { tracerProvider } }),
    );
    await engine.renderView(join(views, 'page.hbs'), { settings: { views }, ...context });
    const [pageSpan] = spans().filter((span) => span.name === 'cachesweeper render');
    expect(pageSpan?.attributes['cachesweeper.view']).toBe(join(views, 'page.hbs'));
    // The view's four blocks and the layout's one, in one span.
    expect(pageSpan?.attributes['cachesweeper.fragments']).toBe(5);
  });

  it('ends the span of a page that failed as an error, naming the error type only', async () => {
    const { tracerProvider, spans } = tracing();
    const engine = cachesweeperEngine(
      create({ handlebars: Handlebars.create(), extname: '.hbs' }),
      createSweeper({ telemetry: { tracerProvider } }),
    );
    const done = new Promise<unknown>((resolve) =>
      engine.renderView(join(views, 'broken.hbs'), { settings: { views }, ...context }, (error: unknown) =>
        resolve(error),
      ),
    );
    expect(String(await done)).toMatch(/needs a target and a TTL/);
    const [pageSpan] = spans().filter((span) => span.name === 'cachesweeper render');
    expect(pageSpan?.status).toMatchObject({ code: 2, message: 'page failed: CacheSweeperError' });
  });
});
