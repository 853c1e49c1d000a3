import type { Registration } from '../types';

/**
 * Notes the context Handlebars made for a partial called with a hash (`{{> avatar
 * user=me size=32}}`: the caller's context with `user` and `size` added). A block in
 * the partial keyed by `this` is keyed by the row the context copies; the hash's
 * values are not that row's data, so its fingerprint must read them as outside ones.
 */
export function noteExtension(registration: Registration, context: unknown, options: unknown): void {
  const hash = (options as { hash?: unknown } | null | undefined)?.hash;
  if (context === null || typeof context !== 'object' || hash === null || typeof hash !== 'object') return;
  const keys = Object.keys(hash);
  if (keys.length > 0) registration.extensions.set(context, new Set(keys));
}
