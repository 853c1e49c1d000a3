import { createStats, type SweeperStats } from '../stats';

/**
 * The parts of an OpenTelemetry `Span` a page trace uses, stated here so that the
 * published types do not need `@opentelemetry/api` (an optional peer dependency).
 */
export interface TraceSpan {
  /** Its trace and span ids. */
  spanContext(): { readonly traceId: string; readonly spanId: string; readonly traceFlags: number };
  /** Sets attributes. */
  setAttributes(attributes: Readonly<Record<string, string | number | boolean>>): unknown;
  /** Sets one attribute. */
  setAttribute(key: string, value: string | number | boolean): unknown;
  /** Sets the status (`code` 2 is ERROR). */
  setStatus(status: { readonly code: number; readonly message?: string }): unknown;
  /** Ends it. */
  end(): void;
}

/**
 * The span of one page (a render, or one `fragment` call) and the figures it ends
 * with: the page's own counters, whatever stats sink the caller passed. Rounds of the
 * page are its child spans.
 */
export class PageTrace {
  /** The page's span. */
  readonly span: TraceSpan;
  /** An OpenTelemetry `Context` holding the span: the parent of the page's rounds. */
  readonly context: object;
  /** This page's figures, written as attributes when it ends. */
  readonly stats: SweeperStats = createStats();
  /** Render time of the fragments this page was served from the cache, in µs. */
  savedMicros = 0;
  readonly #errorCode: number;
  #ended = false;

  /** A trace of `span`, whose rounds go under `context`. */
  constructor(span: TraceSpan, context: object, errorCode: number) {
    this.span = span;
    this.context = context;
    this.#errorCode = errorCode;
  }

  /** Ends the span with the page's figures; `error` marks it failed (its type only: messages may hold data). */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    const { stats } = this;
    this.span.setAttributes({
      'cachesweeper.fragments': stats.hits + stats.misses + stats.uncached,
      'cachesweeper.hits': stats.hits,
      'cachesweeper.misses': stats.misses,
      'cachesweeper.uncached': stats.uncached,
      'cachesweeper.renders': stats.renders,
      'cachesweeper.round_trips': stats.roundTrips,
      'cachesweeper.errors': stats.errors,
      'cachesweeper.queued_stores': stats.queuedStores,
      'cachesweeper.render_time_saved_ms': this.savedMicros / 1000,
    });
    if (error !== undefined) {
      this.span.setAttribute('error.type', errorType(error));
      this.span.setStatus({ code: this.#errorCode, message: `page failed: ${errorType(error)}` });
    }
    this.span.end();
  }
}

/** A low-cardinality name for an error (its code or class), never its message. */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.length > 0 && code.length <= 64) return code;
  if (error instanceof Error) return error.name;
  return typeof error;
}
