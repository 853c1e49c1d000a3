/**
 * Where the sweeper sends spans and metrics. Both default to the providers registered
 * with `@opentelemetry/api` (an optional peer dependency): with none registered, or the
 * package not installed, telemetry costs next to nothing. The shapes are the API's
 * `TracerProvider` and `MeterProvider`, stated here so that cachesweeper's types do not
 * need the package.
 */
export interface TelemetryOptions {
  /** An OpenTelemetry `TracerProvider` (e.g. the SDK's `BasicTracerProvider`). Default: the global one. */
  readonly tracerProvider?: { getTracer(name: string, version?: string): unknown };
  /** An OpenTelemetry `MeterProvider` (e.g. the SDK's `MeterProvider`). Default: the global one. */
  readonly meterProvider?: { getMeter(name: string, version?: string): unknown };
}

/** Attributes a renderer adds to a page's span (e.g. the view it renders). */
export type PageAttributes = Readonly<Record<string, string | number | boolean>>;
