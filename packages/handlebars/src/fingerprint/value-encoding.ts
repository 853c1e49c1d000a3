import { digestOf } from '../digest';
import { type FingerprintRun, OPAQUE, Ref } from './fingerprint-run';

/**
 * What `{{value}}` renders before escaping, as Handlebars computes it: `''` for null
 * and undefined, a SafeString's HTML, else the value as a string (an array joins its
 * items, so its items are noted as read).
 */
export function renderedForm(run: FingerprintRun, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) noteItems(run, value);
  const toHTML = (value as { toHTML?: unknown }).toHTML;
  if (typeof toHTML === 'function') return String(toHTML.call(value));
  return String(value);
}

/** Notes an array's length and items as read (an `#each` or a join reads them). */
export function noteItems(run: FingerprintRun, items: readonly unknown[]): void {
  run.note(items, 'length', items.length);
  for (let index = 0; index < items.length; index++) {
    if (index in items) run.note(items, String(index), items[index]);
  }
}

/** Adds a value rendered by `{{…}}` to the digest, unless the block's row keys it. */
export function useRendered(run: FingerprintRun, ref: unknown, context: unknown): void {
  const { value, covered } = asRef(ref);
  if (covered || value === OPAQUE) return;
  if (typeof value === 'function') {
    // A function in the data is called with the context (a lambda): it may read any of it.
    useWhole(run, new Ref(context, run.isCovered(context)));
    run.record('f', functionDigest(value));
    return;
  }
  run.record('v', renderedForm(run, value));
}

/**
 * Adds a whole value to the digest (a helper's argument: the helper may read any of it)
 * unless the block's row keys it; every property it holds is noted as read either way
 * (the block renders later, and must find them as they are now).
 */
export function useWhole(run: FingerprintRun, ref: unknown): void {
  const { value, covered } = asRef(ref);
  if (value === OPAQUE || (covered && (value === null || typeof value !== 'object'))) return;
  const seen = new Map<object, number>();
  const parts: string[] = [];
  const encode = (current: unknown): void => {
    run.spend();
    if (current === null || typeof current !== 'object') {
      parts.push(typeof current === 'function' ? `f${functionDigest(current)}` : scalar(current));
      return;
    }
    if (current === OPAQUE) {
      parts.push('k');
      return;
    }
    const earlier = seen.get(current);
    if (earlier !== undefined) {
      parts.push(`^${earlier}`);
      return;
    }
    seen.set(current, seen.size);
    if (current instanceof Date) {
      parts.push(`D${current.getTime()}`);
      return;
    }
    if (typeof (current as { toHTML?: unknown }).toHTML === 'function') {
      parts.push(`H${JSON.stringify(String((current as { toHTML(): unknown }).toHTML()))}`);
      return;
    }
    if (current instanceof Map || current instanceof Set) {
      parts.push(current instanceof Map ? 'M[' : 'S[');
      for (const entry of current) encode(entry);
      parts.push(']');
      return;
    }
    const keys = Object.keys(current);
    parts.push(Array.isArray(current) ? `A${current.length}[` : `O[`);
    for (const key of keys) {
      const item = (current as Record<string, unknown>)[key];
      run.note(current, key, item);
      parts.push(JSON.stringify(key));
      encode(item);
    }
    parts.push(']');
  };
  encode(value);
  if (!covered) run.record('d', parts.join(','));
  else if (value !== null && typeof value === 'object') {
    // A covered partial context still holds its hash arguments, which no row keys.
    for (const key of Object.keys(value)) {
      if (run.isHashArgument(value, key)) useWhole(run, new Ref((value as Record<string, unknown>)[key], false));
    }
  }
}

/** A Ref for whatever a fingerprint helper got: literals in the template are part of its digest already. */
export function asRef(value: unknown): Ref {
  return value instanceof Ref ? value : new Ref(value, true);
}

function scalar(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `s${JSON.stringify(value)}`;
    case 'number':
      return `n${Object.is(value, -0) ? '-0' : String(value)}`;
    case 'bigint':
      return `b${String(value)}`;
    case 'boolean':
      return value ? 'T' : 'F';
    case 'undefined':
      return 'u';
    case 'symbol':
      return `y${String(value)}`;
    default:
      return 'N';
  }
}

// A function is code: the same source in every process of one deploy.
function functionDigest(fn: unknown): string {
  return digestOf(Function.prototype.toString.call(fn));
}
