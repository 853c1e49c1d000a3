import { type KeyPlacement, MAX_KEY_BYTES } from '@cachesweeper/core';
import type { Router } from './router';

/** Most suffixes tried to find a copy's name on a server; past it, that server's blocks read the key itself. */
const MAX_TRIES = 1000;
/** Most generation keys whose copies are remembered (one per model and namespace: a bound, not a limit). */
const MAX_REMEMBERED = 1000;

/**
 * A copy of each model generation on every server (core's `KeyPlacement`): the copy for
 * a server is the generation key itself where the ring puts it, and elsewhere the first
 * `<key>.<n>` (n = 1, 2, …) that the ring puts there. The names depend on the ring alone
 * — the servers' names — so every process finds the same copies. A server for which no
 * name is found (or a key too long to extend) falls back to the key itself: a block then
 * reads the one copy every bump reaches anyway.
 *
 * @example
 * const placement = generationCopies(route, ['a', 'b']);
 * placement.copiesOf('app:Comment:*'); // ['app:Comment:*.1', 'app:Comment:*'] (one on a, one on b)
 */
export function generationCopies(route: Router, servers: readonly string[]): KeyPlacement {
  const byKey = new Map<string, Map<string, string>>();
  const copiesByServer = (key: string): Map<string, string> => {
    let copies = byKey.get(key);
    if (copies === undefined) {
      if (byKey.size >= MAX_REMEMBERED) byKey.clear();
      copies = nameCopies(key, route, servers);
      byKey.set(key, copies);
    }
    return copies;
  };
  return {
    copiesOf: (key) => [...new Set(copiesByServer(key).values())],
    copyBeside: (key, anchor) => copiesByServer(key).get(route(anchor)) ?? key,
  };
}

function nameCopies(key: string, route: Router, servers: readonly string[]): Map<string, string> {
  const copies = new Map<string, string>(servers.map((server) => [server, key]));
  const missing = new Set(servers);
  missing.delete(route(key));
  for (let suffix = 1; suffix <= MAX_TRIES && missing.size > 0; suffix++) {
    const name = `${key}.${suffix}`;
    if (name.length > MAX_KEY_BYTES) break;
    const server = route(name);
    if (!missing.delete(server)) continue;
    copies.set(server, name);
  }
  return copies;
}
