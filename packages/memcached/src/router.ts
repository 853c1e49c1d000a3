import Memcached from 'memcached';

/** Picks the name of the server a key lives on. */
export type Router = (key: string) => string;

/**
 * Consistent hashing exactly as the npm `memcached` client spreads keys (its
 * ketama-compatible hashring, 160 points per server), over the servers' *names*:
 * processes that name their servers alike map every key alike, however each one
 * reaches a server. A server named by its address (the default) takes the points the
 * plain client gave that address, so an app that moves to this backend finds its keys
 * where the plain client put them. The client instance is used for its ring only: it
 * never opens a connection.
 */
export function createRouter(names: readonly string[]): Router {
  const [only] = names;
  if (names.length === 1 && only !== undefined) return () => only;
  const ring = (new Memcached([...names]) as unknown as { HashRing: { get(key: string): string } }).HashRing;
  return (key) => ring.get(key);
}
