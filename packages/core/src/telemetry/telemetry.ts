import type { Attributes, Context, Meter, MeterProvider, Tracer } from '@opentelemetry/api';
import type { BackendOp } from '../conversations/backend-rounds';
import { CacheSweeperError, describeValue } from '../errors';
import type { SweeperStats } from '../stats';
import { MetricInstruments } from './metric-instruments';
import { loadOpenTelemetryApi, type OpenTelemetryApi } from './open-telemetry-api';
import { errorType, PageTrace } from './page-trace';
import { describeRound, type RoundEnd } from './round-attributes';
import type { PageAttributes, TelemetryOptions } from './telemetry-options';

/** The instrumentation scope of every span and metric. */
const SCOPE = '@cachesweeper/core';

/**
 * Where a round's span goes: under a page's span; nowhere (`null`: the page's span is
 * not recorded); linked to the pages whose fragments a background write stores; or
 * (`undefined`) under whatever span is active, such as a request's.
 */
export type RoundParent = PageTrace | null | undefined | { readonly links: readonly PageTrace[] };

/** Finishes a round's span and metrics with how the round went. */
export type RoundFinish = (end: RoundEnd) => void;

/**
 * A sweeper's OpenTelemetry spans and metrics, through `@opentelemetry/api` only.
 * Off unless the application installed a provider (or passed one): without one, a
 * page costs one non-recording span and a metric is a call to a no-op instrument.
 */
export class Telemetry {
  readonly #api: OpenTelemetryApi | undefined;
  readonly #tracer: Tracer | undefined;
  readonly #meterProvider: MeterProvider | undefined;
  readonly #noopMeter: Meter | undefined;
  readonly #attributes: Attributes;
  readonly #client: boolean;
  #meterFrom: MeterProvider | undefined;
  #instruments: MetricInstruments | undefined;

  /** Telemetry as `options` asks (`false`: none), for rounds on the backend named `backend`. */
  constructor(options: TelemetryOptions | false, backend: string, namespace: string, synchronous: boolean) {
    this.#attributes = { 'cachesweeper.backend': backend, 'cachesweeper.namespace': namespace };
    this.#client = !synchronous;
    const api = options === false ? undefined : loadOpenTelemetryApi();
    this.#api = api;
    if (options === false) return;
    if (api === undefined) {
      if (options.tracerProvider !== undefined || options.meterProvider !== undefined) {
        throw new CacheSweeperError(
          'telemetry',
          'a tracerProvider or meterProvider was given, but @opentelemetry/api is not installed: add it to your dependencies',
        );
      }
      return;
    }
    this.#tracer = (options.tracerProvider?.getTracer(SCOPE) ?? api.trace.getTracer(SCOPE)) as Tracer;
    this.#meterProvider = options.meterProvider as MeterProvider | undefined;
    this.#noopMeter = api.createNoopMeter();
  }

  /** Starts a page's span under the active one: a trace, or `null` when it is not recorded. */
  startPage(name: string, attributes: PageAttributes | undefined): PageTrace | null {
    const api = this.#api;
    if (api === undefined || this.#tracer === undefined) return null;
    const parent = api.context.active();
    const span = this.#tracer.startSpan(name, { attributes: { ...this.#attributes, ...attributes } }, parent);
    if (!span.isRecording()) return null;
    return new PageTrace(span, api.trace.setSpan(parent, span), api.SpanStatusCode.ERROR);
  }

  /** Starts a round's span and timing; `undefined` when nothing records it. */
  startRound(op: BackendOp, parent: RoundParent): RoundFinish | undefined {
    const api = this.#api;
    if (api === undefined || parent === null) return undefined;
    const metrics = this.#metrics();
    let span = undefined as ReturnType<Tracer['startSpan']> | undefined;
    if (this.#tracer !== undefined) {
      const round = describeRound(op);
      const options = {
        kind: this.#client ? api.SpanKind.CLIENT : api.SpanKind.INTERNAL,
        attributes: { ...this.#attributes, ...round },
      };
      const name = `cachesweeper ${op.what}`;
      if (parent instanceof PageTrace) span = this.#tracer.startSpan(name, options, parent.context as Context);
      else if (parent === undefined) span = this.#tracer.startSpan(name, options, api.context.active());
      else {
        const links = parent.links.map((page) => ({ context: page.span.spanContext() }));
        span = this.#tracer.startSpan(name, { ...options, root: true, links });
      }
      if (!span.isRecording()) span = undefined;
    }
    if (span === undefined && metrics === undefined) return undefined;
    const started = performance.now();
    return (end) => {
      const attributes = {
        ...this.#attributes,
        'cachesweeper.operation': op.kind,
        'cachesweeper.outcome': end.ok ? 'ok' : 'error',
      };
      metrics?.roundTrips.add(1, attributes);
      metrics?.roundDuration.record((performance.now() - started) / 1000, attributes);
      if (span === undefined) return;
      if (end.ok) {
        span.setAttributes(end.attributes);
      } else {
        const type = errorType(end.error);
        span.setAttribute('error.type', type);
        // The error's message may name keys, which can hold user data: only its type goes out.
        span.setStatus({ code: api.SpanStatusCode.ERROR, message: `${op.what} failed: ${type}` });
      }
      span.end();
    };
  }

  /** Adds to the metric counter of a `stats()` field, when there is one. */
  count(name: keyof SweeperStats, amount: number): void {
    if (this.#api === undefined) return;
    this.#metrics()?.counters[name]?.add(amount, this.#attributes);
  }

  /** Starts timing a render, when anything will record it: the page is traced, or metrics are on. */
  startRender(page: PageTrace | null | undefined): (() => number) | undefined {
    if (this.#api === undefined) return undefined;
    const metrics = this.#metrics();
    if (metrics === undefined && !(page instanceof PageTrace)) return undefined;
    const started = performance.now();
    return () => {
      const seconds = (performance.now() - started) / 1000;
      metrics?.renderDuration.record(seconds, this.#attributes);
      return Math.max(0, Math.round(seconds * 1e6));
    };
  }

  /** Records the render time (µs) that fragments served from the cache saved a page. */
  saved(micros: number, page: PageTrace | null | undefined): void {
    if (micros <= 0 || this.#api === undefined) return;
    if (page instanceof PageTrace) page.savedMicros += micros;
    this.#metrics()?.renderTimeSaved.add(micros / 1e6, this.#attributes);
  }

  /** The instruments, when a meter provider that is not the no-op one is in place (looked up again when it changes). */
  #metrics(): MetricInstruments | undefined {
    const api = this.#api as OpenTelemetryApi;
    const provider = this.#meterProvider ?? api.metrics.getMeterProvider();
    if (provider !== this.#meterFrom) {
      this.#meterFrom = provider;
      const meter = provider.getMeter(SCOPE);
      this.#instruments = meter.constructor === this.#noopMeter?.constructor ? undefined : new MetricInstruments(meter);
    }
    return this.#instruments;
  }
}

/** Checks the `telemetry` option of `createSweeper`; throws a CacheSweeperError naming the bad value. */
export function checkTelemetryOptions(options: unknown): TelemetryOptions | false {
  if (options === undefined) return {};
  if (options === false) return false;
  if (options === null || typeof options !== 'object') {
    throw new CacheSweeperError(
      'telemetry',
      `telemetry must be false or { tracerProvider?, meterProvider? }, got ${describeValue(options)}`,
    );
  }
  const { tracerProvider, meterProvider } = options as Record<string, { getTracer?: unknown; getMeter?: unknown }>;
  if (tracerProvider !== undefined && typeof tracerProvider?.getTracer !== 'function') {
    throw new CacheSweeperError(
      'telemetry',
      `tracerProvider must be an OpenTelemetry TracerProvider (with getTracer), got ${describeValue(tracerProvider)}`,
    );
  }
  if (meterProvider !== undefined && typeof meterProvider?.getMeter !== 'function') {
    throw new CacheSweeperError(
      'telemetry',
      `meterProvider must be an OpenTelemetry MeterProvider (with getMeter), got ${describeValue(meterProvider)}`,
    );
  }
  return options as TelemetryOptions;
}
