import { createRequire } from 'node:module';

/** The OpenTelemetry API module (`@opentelemetry/api`), as this package uses it. */
export type OpenTelemetryApi = typeof import('@opentelemetry/api');

/**
 * Loads `@opentelemetry/api`, an optional peer dependency: the application's own copy
 * (the API keeps its providers in one global registry, whichever copy registered them),
 * or `undefined` when it is not installed. Loaded with `require` so that the CommonJS
 * and ESM builds of cachesweeper, and a missing package, behave alike.
 */
export function loadOpenTelemetryApi(): OpenTelemetryApi | undefined {
  try {
    return createRequire(import.meta.url)('@opentelemetry/api') as OpenTelemetryApi;
  } catch {
    return undefined;
  }
}
