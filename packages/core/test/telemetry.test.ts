import { metrics, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createSweeper, memoryBackend, type Sweeper } from '../src';
import { scriptedBackend } from './support/scripted-backend';
import { recordTelemetry, sumOf } from './support/telemetry';

/** A key part that must never leave the process in a span: keys can hold user data. */
const SECRET = 'alice@example.com';
const comment = { model: 'Comment', id: 1 };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('telemetry with a provider installed', () => {
  it('gives a page one span with a child span per round, naming the backend and counting keys and hits', async () => {
    const telemetry = recordTelemetry();
    const sweeper = createSweeper({ telemetry, backend: memoryBackend() });
    const session = sweeper.session({
      trace: { name: 'render article', attributes: { 'cachesweeper.view': 'a.hbs' } },
    });
    const planned = [1, 2, 3].map((id) =>
      sweeper.plan({ target: { model: 'Comment', id }, ttlSeconds: 60, parts: [SECRET] }),
    );
    const slots = await session.lookup(planned);
    for (const slot of slots) {
      const claim = session.claim(slot);
      if (claim.role === 'render') claim.complete(`<p>${slot.planned.id}</p>`, []);
    }
    session.end();
    await sweeper.idle();

    const [pageSpan] = telemetry.named('render article');
    expect(pageSpan?.attributes).toMatchObject({
      'cachesweeper.backend': 'memory',
      'cachesweeper.namespace': 'cs',
      'cachesweeper.view': 'a.hbs',
      'cachesweeper.fragments': 3,
      'cachesweeper.hits': 0,
      'cachesweeper.misses': 3,
      'cachesweeper.renders': 3,
      'cachesweeper.queued_stores': 3,
    });
    const rounds = telemetry
      .spans()
      .filter((span) => span.parentSpanContext?.spanId === pageSpan?.spanContext().spanId);
    expect(rounds.map((span) => span.name)).toEqual([
      'cachesweeper get version tokens',
      'cachesweeper create version tokens',
    ]);
    expect(rounds[0]?.attributes).toMatchObject({
      'cachesweeper.backend': 'memory',
      'cachesweeper.operation': 'getMany',
      'cachesweeper.keys': 3,
      'cachesweeper.found': 0,
    });
    expect(pageSpan?.attributes['cachesweeper.round_trips']).toBe(rounds.length);
    await telemetry.shutdown();
  });

  it('gives the background write a span of its own, linked to the pages whose fragments it stores', async () => {
    const telemetry = recordTelemetry();
    const sweeper = createSweeper({ telemetry });
    await Promise.all([1, 2].map((id) => sweeper.fragment({ model: 'Comment', id }, 60, [], () => `c${id}`)));
    await sweeper.idle();
    const pages = telemetry.named('cachesweeper fragment');
    const [write] = telemetry.named('cachesweeper store fragments');
    expect(pages).toHaveLength(2);
    expect(write?.parentSpanContext).toBeUndefined();
    expect(write?.attributes).toMatchObject({
      'cachesweeper.operation': 'setMany',
      'cachesweeper.keys': 2,
      'cachesweeper.stored': 2,
    });
    expect(write?.links.map((link) => link.context.spanId).sort()).toEqual(
      pages.map((span) => span.spanContext().spanId).sort(),
    );
    await telemetry.shutdown();
  });

  it('marks a failed round as an error by its type only, never with a key, and the page still renders', async () => {
    const telemetry = recordTelemetry();
    const scripted = scriptedBackend();
    scripted.script('getMany', 'hang');
    const sweeper = createSweeper({ telemetry, backend: scripted.backend, timeoutMs: 20 });
    expect(await sweeper.fragment(comment, 60, [SECRET], () => 'rendered anyway')).toBe('rendered anyway');
    const [round] = telemetry.named('cachesweeper get version tokens');
    expect(round?.status).toMatchObject({ code: 2, message: 'get version tokens failed: CACHESWEEPER_DEADLINE' });
    expect(round?.attributes['error.type']).toBe('CACHESWEEPER_DEADLINE');
    const [pageSpan] = telemetry.named('cachesweeper fragment');
    expect(pageSpan?.attributes).toMatchObject({ 'cachesweeper.uncached': 1, 'cachesweeper.errors': 1 });
    for (const span of telemetry.spans()) {
      const text = JSON.stringify([span.name, span.attributes, span.status, span.events]);
      expect(text).not.toContain('alice');
      expect(text).not.toContain('Comment:');
    }
    await telemetry.shutdown();
  });

  it('counts hits, misses, renders, stores, round trips by operation and the render time a hit saved', async () => {
    const telemetry = recordTelemetry();
    const sweeper = createSweeper({ telemetry });
    const slowRender = async () => {
      await sleep(30);
      return 'slow';
    };
    await sweeper.fragment(comment, 60, [], slowRender);
    await sweeper.idle();
    await sweeper.fragment(comment, 60, [], slowRender);
    await sweeper.invalidate(comment);

    const collected = await telemetry.metrics();
    const backend = { 'cachesweeper.backend': 'memory' };
    expect(sumOf(collected.get('cachesweeper.hits'), backend)).toBe(1);
    expect(sumOf(collected.get('cachesweeper.misses'))).toBe(1);
    expect(sumOf(collected.get('cachesweeper.renders'))).toBe(1);
    expect(sumOf(collected.get('cachesweeper.stores'))).toBe(1);
    expect(sumOf(collected.get('cachesweeper.invalidations'))).toBe(1);
    expect(sumOf(collected.get('cachesweeper.round_trips'), { 'cachesweeper.operation': 'setMany' })).toBe(1);
    expect(sumOf(collected.get('cachesweeper.round_trips'), { 'cachesweeper.operation': 'incrMany' })).toBe(1);
    // The render slept 30 ms; timers may fire a little early or much later on a loaded machine.
    const saved = sumOf(collected.get('cachesweeper.render_time_saved'));
    expect(saved).toBeGreaterThan(0.02);
    expect(saved).toBeLessThan(5);
    expect(collected.get('cachesweeper.render.duration')?.dataPoints[0]?.value).toMatchObject({ count: 1 });
    expect(collected.get('cachesweeper.round_trip.duration')).toBeDefined();
    await telemetry.shutdown();
  });

  it('stores the render time with the fragment, so a hit in another process counts what it saved', async () => {
    const backend = memoryBackend();
    const first = recordTelemetry();
    const writer = createSweeper({ backend, telemetry: first });
    await writer.fragment(comment, 60, [], async () => {
      await sleep(25);
      return 'html';
    });
    await writer.idle();
    expect(await backend.get(await keyOf(writer))).toMatch(/^@\d+~\d+\|html$/);
    const second = recordTelemetry();
    const reader = createSweeper({ backend, telemetry: second });
    expect(await reader.fragment(comment, 60, [], () => 'not rendered')).toBe('html');
    const [pageSpan] = second.named('cachesweeper fragment');
    expect(pageSpan?.attributes['cachesweeper.hits']).toBe(1);
    expect(pageSpan?.attributes['cachesweeper.render_time_saved_ms']).toBeGreaterThan(15);
    await Promise.all([first.shutdown(), second.shutdown()]);
  });
});

describe('telemetry without a provider', () => {
  afterEach(() => {
    trace.disable();
    metrics.disable();
  });

  it('records nothing and stores fragments in their plain shape', async () => {
    const backend = memoryBackend();
    const sweeper = createSweeper({ backend });
    await sweeper.fragment(comment, 60, [], () => 'html');
    await sweeper.idle();
    expect(await backend.get(await keyOf(sweeper))).toMatch(/^@\d+\|html$/); // no render time
  });

  it('follows the providers the application registers globally, even after the sweeper was created', async () => {
    const sweeper = createSweeper();
    const telemetry = recordTelemetry();
    trace.setGlobalTracerProvider(telemetry.tracerProvider);
    metrics.setGlobalMeterProvider(telemetry.meterProvider);
    await sweeper.fragment(comment, 60, [], () => 'html');
    expect(telemetry.named('cachesweeper fragment')).toHaveLength(1);
    expect(sumOf((await telemetry.metrics()).get('cachesweeper.misses'))).toBe(1);
    await telemetry.shutdown();
  });

  it('records nothing with telemetry: false, whatever is registered', async () => {
    const telemetry = recordTelemetry();
    trace.setGlobalTracerProvider(telemetry.tracerProvider);
    metrics.setGlobalMeterProvider(telemetry.meterProvider);
    const sweeper = createSweeper({ telemetry: false });
    await sweeper.fragment(comment, 60, [], () => 'html');
    expect(telemetry.spans()).toEqual([]);
    expect((await telemetry.metrics()).size).toBe(0);
    await telemetry.shutdown();
  });
});

describe('the telemetry option', () => {
  it('refuses providers that are not OpenTelemetry providers, naming them', () => {
    expect(() => createSweeper({ telemetry: { tracerProvider: {} as never } })).toThrow(
      '[cachesweeper] [telemetry] tracerProvider must be an OpenTelemetry TracerProvider (with getTracer), got {}',
    );
    expect(() => createSweeper({ telemetry: 'on' as never })).toThrow(
      '[cachesweeper] [telemetry] telemetry must be false or { tracerProvider?, meterProvider? }, got "on"',
    );
  });

  it('refuses a page trace without a name', () => {
    expect(() => createSweeper().session({ trace: {} as never })).toThrow(
      '[cachesweeper] [sweeper] session trace must be { name, attributes? }, got {}',
    );
  });
});

/** The key the comment's fragment is stored under now. */
async function keyOf(sweeper: Sweeper): Promise<string> {
  const [slot] = await sweeper.lookup([{ target: comment, ttlSeconds: 60 }]);
  return slot?.key as string;
}
