import { randomUUID } from 'node:crypto';
import { digestOf } from '../digest';
import type { Registration } from '../types';

const MAX_REMEMBERED_SOURCES = 1000;

/**
 * The digest a partial-using block adds to its key: the top-level template of the
 * render and every partial the render can call (the instance's and those passed to
 * the render call), by name and source. Whatever partial the block reaches, directly,
 * through other partials, dynamically or as `@partial-block`, an edit to it changes
 * the key.
 */
export function renderDigest(
  registration: Registration,
  template: object | undefined,
  runtimePartials: Readonly<Record<string, unknown>> | undefined,
): string {
  const merged = new Map<string, unknown>();
  for (const partials of [registration.handlebars.partials, runtimePartials]) {
    if (partials === undefined || partials === null) continue;
    for (const name of Object.keys(partials)) merged.set(name, partials[name]);
  }
  const parts: string[] = [template === undefined ? '' : templateDigest(registration, template)];
  for (const name of [...merged.keys()].sort()) parts.push(name, partialDigest(registration, merged.get(name)));
  return digestOf('render', ...parts);
}

function partialDigest(registration: Registration, partial: unknown): string {
  if (typeof partial === 'string') {
    const known = registration.sourceDigests.get(partial);
    if (known !== undefined) return known;
    if (registration.sourceDigests.size >= MAX_REMEMBERED_SOURCES) registration.sourceDigests.clear();
    // The same digest the compile step records for this source once Handlebars compiles it.
    const digest = digestOf(partial);
    registration.sourceDigests.set(partial, digest);
    return digest;
  }
  if (typeof partial === 'function') return templateDigest(registration, partial);
  return 'none';
}

/**
 * The digest of a compiled template: its source digest when this registration
 * compiled it; otherwise a random id for this process (never stale, but not shared
 * with other processes: compile templates with the registered instance).
 */
function templateDigest(registration: Registration, template: object): string {
  const known = registration.templateDigests.get(template);
  if (known !== undefined) return known;
  const anonymous = digestOf('anonymous', randomUUID());
  registration.templateDigests.set(template, anonymous);
  return anonymous;
}
