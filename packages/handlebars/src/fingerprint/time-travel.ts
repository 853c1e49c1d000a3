import type { Read } from '../types';
import { KEYS } from './fingerprint-run';

/**
 * Puts every property a block read back as it was when the block was called, for the
 * time its body renders (after the template returned): a helper that assigned to the
 * context, or a loop that reused one object for every item, changed it since. Returns
 * the undo, which puts today's values back. Synchronous by nature: nothing else runs
 * between the two. Properties that cannot be written (frozen objects, getters) are left. Of
 * several reads of one property, the first is put back.
 */
export function travelBack(log: readonly Read[]): () => void {
  if (log.length === 0) return nothing;
  const undo: (() => void)[] = [];
  // The first read of a property is the earliest: a log made of several (a helper called again) is in time order.
  const done = new Map<object, Set<PropertyKey>>();
  for (const read of log) {
    let keys = done.get(read.object);
    if (keys === undefined) {
      keys = new Set();
      done.set(read.object, keys);
    }
    if (keys.has(read.key)) continue;
    keys.add(read.key);
    if (read.key === KEYS) restoreKeys(read.object, read.value as readonly string[], undo);
    else restore(read, undo);
  }
  return () => {
    for (let index = undo.length - 1; index >= 0; index--) (undo[index] as () => void)();
  };
}

function restore({ object, key, value, present }: Read, undo: (() => void)[]): void {
  const target = object as Record<PropertyKey, unknown>;
  const has = Object.hasOwn(object, key);
  const current = has ? target[key] : undefined;
  if (has === present && (!has || Object.is(current, value))) return;
  if (present && !has && key in object) return; // an inherited property now: leave it
  if (present ? !canSet(object, key) : !canDelete(object, key)) return;
  if (present) {
    if (!assign(target, key, value)) return;
  } else if (!Reflect.deleteProperty(target, key)) {
    return;
  }
  undo.push(has ? () => assign(target, key, current) : () => Reflect.deleteProperty(target, key));
}

function restoreKeys(object: object, keys: readonly string[], undo: (() => void)[]): void {
  const kept = new Set(keys);
  const target = object as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (kept.has(key) || !canDelete(object, key)) continue;
    const current = target[key];
    if (Reflect.deleteProperty(target, key)) undo.push(() => assign(target, key, current));
  }
}

function canSet(object: object, key: PropertyKey): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(object, key);
  if (descriptor === undefined) return Object.isExtensible(object);
  return 'value' in descriptor && descriptor.writable === true;
}

function canDelete(object: object, key: PropertyKey): boolean {
  return Object.getOwnPropertyDescriptor(object, key)?.configurable !== false;
}

function assign(target: Record<PropertyKey, unknown>, key: PropertyKey, value: unknown): boolean {
  return Reflect.set(target, key, value);
}

function nothing(): void {}
