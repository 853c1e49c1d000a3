/** The part of cachesweeper an error comes from, named in every message. */
export type ErrorComponent = string;

/**
 * An error raised or reported by cachesweeper. Its message starts with
 * `[cachesweeper] [<component>]` and names the value that was wrong.
 */
export class CacheSweeperError extends Error {
  /** The component that raised it: `keys`, `targets`, `sweeper`, `memory`, `memcached`, … */
  readonly component: ErrorComponent;

  constructor(component: ErrorComponent, message: string, options?: { cause?: unknown }) {
    super(`[cachesweeper] [${component}] ${message}`, options);
    this.name = 'CacheSweeperError';
    this.component = component;
  }
}

/** Wraps anything thrown by a backend or a callback into a CacheSweeperError, keeping it as `cause`. */
export function asSweeperError(component: ErrorComponent, what: string, cause: unknown): CacheSweeperError {
  if (cause instanceof CacheSweeperError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new CacheSweeperError(component, `${what}: ${reason}`, { cause });
}

/** Renders a value for an error message: short, single-line, and never throwing. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return truncate(JSON.stringify(value));
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'Invalid' : value.toISOString()})`;
  if (value === null || typeof value !== 'object') return String(value);
  const constructorName = (value as { constructor?: { name?: string } }).constructor?.name;
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) {
      const prefix = constructorName && constructorName !== 'Object' ? `${constructorName} ` : '';
      return truncate(prefix + json);
    }
  } catch {
    // Cyclic or otherwise unserialisable: fall through to the constructor name.
  }
  return `[object ${constructorName ?? 'Object'}]`;
}

function truncate(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
