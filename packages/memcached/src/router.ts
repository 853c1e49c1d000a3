import Memcached from 'memcached';

/** Picks the server (`host:port`) a key lives on. */
export type Router = (key: string) => string;

/**
 * Consistent hashing exactly as the npm `memcached` client spreads keys (its
 * ketama-compatible hashring, 160 points per server), so an app that moves to this
 * backend finds its keys on the servers where the plain client put them. The
 * client instance is used for its ring only: it never opens a connection.
 */
export function createRouter(servers: readonly string[]): Router {
  const [only] = servers;
  if (servers.length === 1 && only !== undefined) return () => only;
  const ring = (new Memcached([...servers]) as unknown as { HashRing: { get(key: string): string } }).HashRing;
  return (key) => ring.get(key);
}
