import { userInfo } from 'node:os';
import { type ServerProcess, SpawnedServer, startOnFreePort } from './spawned-server';

/** Options of `startMemcached`. */
export interface MemcachedProcessOptions {
  /** Memory for items in MiB (`-m`). Default: 64. */
  readonly memoryMb?: number;
  /** Largest item (`-I`), e.g. `'1m'`, `'2m'`, `'512k'`. Default: memcached's own (1m). */
  readonly maxItemSize?: string;
  /** Worker threads (`-t`). Default: 2. */
  readonly threads?: number;
  /** Port to listen on. Default: a free one. */
  readonly port?: number;
  /** The memcached binary. Default: `$MEMCACHED_BIN` or `/usr/bin/memcached`. */
  readonly binary?: string;
  /** More command-line arguments, e.g. `['-vv']`. */
  readonly extraArgs?: readonly string[];
  /** How long to wait for it to accept connections, in ms. Default: 5000. */
  readonly startTimeoutMs?: number;
}

/** A real memcached process listening on 127.0.0.1, owned by a test; `restart()` comes back fresh and empty. */
export type MemcachedProcess = ServerProcess;

const DEFAULT_BINARY = '/usr/bin/memcached';

/**
 * Starts a real memcached on a free loopback port (`-l 127.0.0.1 -U 0`) and waits
 * until it accepts connections. The process dies with the calling Node process,
 * however that ends, so a crashed test run leaves no orphan behind.
 *
 * @example
 * const server = await startMemcached({ memoryMb: 16 });
 * const backend = memcachedBackend({ servers: [server.address] });
 * await server.freeze(); // … assert that every call still settles …
 * await server.stop();
 */
export function startMemcached(options: MemcachedProcessOptions = {}): Promise<MemcachedProcess> {
  return startOnFreePort(options.port, (port) => new MemcachedHandle(port, options));
}

class MemcachedHandle extends SpawnedServer {
  constructor(port: number, options: MemcachedProcessOptions) {
    super(port, {
      name: 'memcached',
      binary: options.binary ?? process.env.MEMCACHED_BIN ?? DEFAULT_BINARY,
      startTimeoutMs: options.startTimeoutMs ?? 5000,
      args: (host, serverPort) => memcachedArgs(host, serverPort, options),
    });
  }
}

function memcachedArgs(host: string, port: number, options: MemcachedProcessOptions): string[] {
  const { memoryMb = 64, maxItemSize, threads = 2, extraArgs = [] } = options;
  const args = ['-l', host, '-p', String(port), '-U', '0', '-m', String(memoryMb), '-t', String(threads)];
  if (maxItemSize !== undefined) args.push('-I', maxItemSize);
  // memcached refuses to run as root unless told which user to be.
  if (process.getuid?.() === 0) args.push('-u', userInfo().username);
  return [...args, ...extraArgs];
}
