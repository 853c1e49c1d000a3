import { type KeyPlacement, MAX_KEY_BYTES } from '@cachesweeper/core';
import type { Router } from './router';

/** Most suffixes tried to find a copy's name on a server; past it, the key has no copy there. */
const MAX_TRIES = 1000;
/** Most generation keys whose copies are remembered (one per model and namespace: a bound, not a limit). */
const MAX_REMEMBERED_GENERATIONS = 1000;
/** Most counters whose copy's name is remembered (a page's worth many times over). */
const MAX_REMEMBERED_COUNTERS = 20_000;
/** A generation copy's name: the generation key (`…:*`) and `.<n>`. */
const GENERATION_COPY = /(:\*)\.\d+$/;
/**
 * A counter copy's name: the counter key and `~c<n>`. Core's keys never hold `~c`: a `~`
 * there starts an escape of four uppercase hex digits.
 */
const COUNTER_COPY = /~c\d+$/;

/**
 * Copies of version keys (core's `KeyPlacement`), named by the ring alone — the
 * servers' names — so every process finds the same copies:
 *
 * - a generation (`…:*`) has a copy on every server: the key itself where the ring puts it,
 *   elsewhere the first `<key>.<n>` (n = 1, 2, …) that the ring puts there;
 * - any other counter has one copy, the first `<key>~c<n>` that the ring puts on another
 *   server.
 *
 * A key is read where it lives; while that server is out of this process's reach
 * (`reachable` says which servers are not), it is read from a copy on one that is.
 *
 * A key for which no name is found (too long to extend) has no copy: it is read and
 * bumped where it is, as without copies.
 *
 * @example
 * const placement = keyCopies(route, ['a', 'b'], (server) => slots.get(server).readable());
 * placement.copiesOf('app:Comment:*'); // ['app:Comment:*.1', 'app:Comment:*'] (one on a, one on b)
 * placement.copiesOf('app:Comment:=7'); // ['app:Comment:=7', 'app:Comment:=7~c2'] (on b, on a)
 */
export function keyCopies(
  route: Router,
  servers: readonly string[],
  reachable: (server: string) => boolean,
): KeyPlacement {
  const generations = new Map<string, Map<string, string>>();
  const copiesByServer = (key: string): Map<string, string> => {
    let copies = generations.get(key);
    if (copies === undefined) {
      if (generations.size >= MAX_REMEMBERED_GENERATIONS) generations.clear();
      copies = nameGenerationCopies(key, route, servers);
      generations.set(key, copies);
    }
    return copies;
  };
  const counters = new Map<string, string | undefined>();
  const counterCopy = (key: string): string | undefined => {
    if (counters.has(key)) return counters.get(key);
    if (counters.size >= MAX_REMEMBERED_COUNTERS) counters.clear();
    const copy = nameCounterCopy(key, route);
    counters.set(key, copy);
    return copy;
  };
  return {
    copiesOf: (key) => {
      const generation = generationOf(key);
      if (generation !== undefined) return [...new Set(copiesByServer(generation).values())];
      const counter = key.replace(COUNTER_COPY, '');
      const copy = counterCopy(counter);
      return copy === undefined ? [counter] : [counter, copy];
    },
    copyBeside: (key, anchor) => copiesByServer(key).get(route(anchor)) ?? key,
    readableCopy: (key) => {
      // Every server in reach (the usual case): no key needs routing to know.
      if (servers.every(reachable) || reachable(route(key))) return key;
      const generation = generationOf(key);
      if (generation !== undefined) {
        for (const copy of copiesByServer(generation).values()) if (reachable(route(copy))) return copy;
        return key;
      }
      const copy = counterCopy(key);
      return copy !== undefined && reachable(route(copy)) ? copy : key;
    },
  };
}

/** The generation key that `key` is (a copy of), or `undefined` for any other key. */
function generationOf(key: string): string | undefined {
  if (key.endsWith(':*')) return key;
  return GENERATION_COPY.test(key) ? key.replace(GENERATION_COPY, '$1') : undefined;
}

function nameGenerationCopies(key: string, route: Router, servers: readonly string[]): Map<string, string> {
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

function nameCounterCopy(key: string, route: Router): string | undefined {
  const home = route(key);
  for (let suffix = 1; suffix <= MAX_TRIES; suffix++) {
    const name = `${key}~c${suffix}`;
    if (name.length > MAX_KEY_BYTES) return undefined;
    if (route(name) !== home) return name;
  }
  return undefined;
}
