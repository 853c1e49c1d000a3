import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ServerProcess, SpawnedServer, startOnFreePort } from './spawned-server';

const run = promisify(execFile);

/** Options of `startRedis`. */
export interface RedisProcessOptions {
  /** Port to listen on. Default: a free one. */
  readonly port?: number;
  /** The redis-server binary. Default: `$REDIS_SERVER_BIN` or `redis-server` on the PATH. */
  readonly binary?: string;
  /** More arguments, e.g. `['--maxmemory', '8mb']`. */
  readonly extraArgs?: readonly string[];
  /** How long to wait for it to accept connections, in ms. Default: 5000. */
  readonly startTimeoutMs?: number;
}

/** A real redis-server listening on 127.0.0.1, owned by a test: no persistence, so a restart is empty. */
export interface RedisProcess extends ServerProcess {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Its working directory (dump files, a cluster node's `nodes.conf`); removed by `stop()`. */
  readonly dir: string;
}

/** A Redis Cluster of real processes, owned by a test. */
export interface RedisClusterProcesses {
  /** The nodes, all masters, each with its share of the 16384 slots. */
  readonly nodes: readonly RedisProcess[];
  /** `host:port` of every node. */
  readonly addresses: readonly string[];
  /** Stops every node. */
  stop(): Promise<void>;
}

/**
 * Starts a real redis-server on a free loopback port (`--save "" --appendonly no`:
 * nothing survives a restart) and waits until it accepts connections. The process
 * dies with the calling Node process, however that ends.
 *
 * @example
 * const server = await startRedis();
 * const backend = redisBackend({ url: server.url });
 * await server.freeze(); // … every call still settles …
 * await server.stop();
 */
export function startRedis(options: RedisProcessOptions = {}): Promise<RedisProcess> {
  return startOnFreePort(options.port, (port) => new RedisServer(port, options));
}

/**
 * Starts `count` redis-server nodes with `--cluster-enabled yes` and joins them with
 * `redis-cli --cluster create … --cluster-replicas 0`, then waits until every node
 * says `cluster_state:ok`. A node keeps its `nodes.conf` across `restart()`, so it
 * comes back into the cluster with its slots (and, without persistence, no data).
 *
 * @example
 * const cluster = await startRedisCluster(3);
 * const backend = redisBackend({ nodes: cluster.addresses });
 */
export async function startRedisCluster(
  count = 3,
  options: Omit<RedisProcessOptions, 'port'> = {},
): Promise<RedisClusterProcesses> {
  const extraArgs = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', ...(options.extraArgs ?? [])];
  const nodes: RedisProcess[] = [];
  const stop = () => Promise.all(nodes.map((node) => node.stop())).then(() => undefined);
  try {
    for (let index = 0; index < count; index++) nodes.push(await startRedis({ ...options, extraArgs }));
    const addresses = nodes.map((node) => node.address);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], {
      timeout: 30_000,
    });
    await waitForClusterState(nodes, 30_000);
    return { nodes, addresses, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForClusterState(nodes: readonly RedisProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(
      nodes.map((node) =>
        run('redis-cli', ['-h', node.host, '-p', String(node.port), 'cluster', 'info'], { timeout: 2000 })
          .then(({ stdout }) => /cluster_state:ok/.test(stdout))
          .catch(() => false),
      ),
    );
    if (states.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`the Redis Cluster did not reach cluster_state:ok in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

class RedisServer extends SpawnedServer implements RedisProcess {
  readonly url: string;
  readonly dir: string;

  constructor(port: number, options: RedisProcessOptions) {
    const dir = mkdtempSync(join(tmpdir(), 'cachesweeper-redis-'));
    super(port, {
      name: 'redis-server',
      binary: options.binary ?? process.env.REDIS_SERVER_BIN ?? 'redis-server',
      cwd: dir,
      startTimeoutMs: options.startTimeoutMs ?? 5000,
      args: (host, serverPort) => [
        '--bind',
        host,
        '--port',
        String(serverPort),
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        ...(options.extraArgs ?? []),
      ],
    });
    this.url = `redis://${this.host}:${port}`;
    this.dir = dir;
  }

  override async stop(): Promise<void> {
    await super.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  override async restart(): Promise<void> {
    await super.stop(); // keeps `dir`: a cluster node needs its nodes.conf to rejoin
    await this.start();
  }
}
