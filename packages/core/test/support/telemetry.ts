import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/**
 * The OpenTelemetry SDK recording in memory, as an application would install it:
 * spans through an in-memory exporter, metrics through an in-memory reader.
 */
export function recordTelemetry() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracerProvider,
    meterProvider,
    /** The spans ended so far. */
    spans(): ReadableSpan[] {
      return exporter.getFinishedSpans();
    },
    /** The spans ended so far named `name`. */
    named(name: string): ReadableSpan[] {
      return exporter.getFinishedSpans().filter((span) => span.name === name);
    },
    /** Every metric collected now, by name. */
    async metrics(): Promise<Map<string, MetricData>> {
      metricExporter.reset();
      await reader.forceFlush();
      const byName = new Map<string, MetricData>();
      for (const resource of metricExporter.getMetrics()) {
        for (const scope of resource.scopeMetrics)
          for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
      }
      return byName;
    },
    async shutdown(): Promise<void> {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}

/** The sum of a counter's data points whose attributes include `where`. */
export function sumOf(metric: MetricData | undefined, where: Record<string, unknown> = {}): number {
  if (metric === undefined) return 0;
  let total = 0;
  for (const point of metric.dataPoints) {
    if (Object.entries(where).every(([key, value]) => point.attributes[key] === value)) total += point.value as number;
  }
  return total;
}
