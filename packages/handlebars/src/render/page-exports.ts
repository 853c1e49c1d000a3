import type { ExportValue, PageExports } from '../types';

/** The exports of several renderings in one object, later ones winning a name; `undefined` when there are none. */
export function mergeExports(parts: readonly (PageExports | undefined)[]): PageExports | undefined {
  let merged: Record<string, ExportValue> | undefined;
  for (const part of parts) {
    if (part === undefined) continue;
    for (const name of Object.keys(part)) {
      merged ??= {};
      merged[name] = part[name] as ExportValue;
    }
  }
  return merged;
}
