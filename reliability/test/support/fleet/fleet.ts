import { createSweeper } from '@cachesweeper/core';
import {
  type FaultProxy,
  type MemcachedProcess,
  memcachedGet,
  memcachedStats,
  startFaultProxy,
  startMemcached,
} from '@cachesweeper/test-support';
import type { SeedSize } from '../../../../examples/blog/src/db/seed';
import { uncachedBackend } from '../backends';
import { type BlogDatabase, type BlogInstance, blogDatabase, startBlogInstance } from '../blog-instances';
import { checkPages, emptyPageCheck, type PageCheckFigures } from '../page-check';
import { SUITE_SECRET } from '../suite-visitor';
import { waitUntil } from '../timing';
import { type BlogProcess, startBlogProcess } from './blog-process';
import type { ProcessStats } from './process-stats';

/** Options of `startFleet`. */
export interface FleetOptions {
  /** Blog processes, named P1, P2, … */
  readonly processes: number;
  /** memcached servers, named a, b, … */
  readonly servers: number;
  /** Links that go through a fault proxy, as [process index, server index]; every other link is direct. */
  readonly proxied?: readonly (readonly [number, number])[];
  /** More environment for the process at an index (e.g. BLOG_RENDER_DELAY_MS). */
  readonly env?: (index: number) => Readonly<Record<string, string>>;
  /** What the database is seeded with. Default: the blog's own seed. */
  readonly seed?: SeedSize;
}

/** A memcached server of the fleet, with the name every process gives it. */
export interface FleetServer {
  readonly name: string;
  readonly memcached: MemcachedProcess;
}

/** Several blog processes on one SQLite file (WAL) and one pool of memcached servers. */
export interface Fleet {
  readonly processes: readonly BlogProcess[];
  readonly servers: readonly FleetServer[];
  /** The blog in this process on the same database, rendering without any cache: what every page must equal. */
  readonly reference: BlogInstance;
  /** The proxy on one process's link to one server (throws if that link is direct). */
  link(process: number, server: number): FaultProxy;
  /** A server's `stats` (`cmd_flush`, `get_hits`, …), read over a connection of the harness's own. */
  serverStats(server: number): Promise<Record<string, string>>;
  /** For each key, the indexes of the servers that hold it (each server asked directly). */
  locate(keys: readonly string[]): Promise<Map<string, number[]>>;
  /** Every running process's stats, in order. */
  stats(): Promise<ProcessStats[]>;
  /** Resolves once every running process sees every server `up` (a down server is probed every 2 s, then flushed). */
  allUp(timeoutMs?: number): Promise<void>;
  /** Renders `paths` in every running process and in the reference; records each page that differs (call it at quiescence). */
  checkPages(paths: readonly string[]): Promise<PageCheckFigures>;
  /** Exits of processes nobody asked for, each with that process's last output: empty when all is well. */
  crashes(): string[];
  /** Kills every process, closes every proxy, stops every server, removes the database; idempotent. */
  stop(): Promise<void>;
}

const SERVER_NAMES = 'abcdefghijklmnopqrstuvwxyz';

/**
 * Starts the servers, the proxies, an uncached reference blog in this process (which
 * seeds the database and switches it to WAL), then the blog processes, all at once.
 * On failure, stops whatever had started before rethrowing.
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const fleet = new FleetHandle();
  try {
    await fleet.start(options);
  } catch (error) {
    await fleet.stop();
    throw error;
  }
  return fleet;
}

class FleetHandle implements Fleet {
  readonly processes: BlogProcess[] = [];
  readonly servers: FleetServer[] = [];
  readonly #proxies = new Map<string, FaultProxy>();
  #reference: BlogInstance | undefined;
  #database: BlogDatabase | undefined;

  get reference(): BlogInstance {
    if (!this.#reference) throw new Error('the fleet has no reference blog (it did not start)');
    return this.#reference;
  }

  async start(options: FleetOptions): Promise<void> {
    for (let index = 0; index < options.servers; index++) {
      this.servers.push({ name: SERVER_NAMES[index]!, memcached: await startMemcached() });
    }
    for (const [process, server] of options.proxied ?? []) {
      const target = this.servers[server];
      if (!target || process >= options.processes) throw new Error(`no link P${process + 1} → server ${server}`);
      this.#proxies.set(`${process}:${server}`, await startFaultProxy(target.memcached.address));
    }
    this.#database = blogDatabase();
    this.#reference = await startBlogInstance({
      name: 'reference',
      database: this.#database,
      sweeper: createSweeper({ backend: uncachedBackend() }),
      ...(options.seed ? { seed: options.seed } : {}),
    });
    const database = this.#database.path;
    const started = await Promise.allSettled(
      Array.from({ length: options.processes }, (_, index) =>
        startBlogProcess({
          name: `P${index + 1}`,
          env: {
            DATABASE_PATH: database,
            SESSION_SECRET: SUITE_SECRET,
            BLOG_STATS_ENDPOINT: '1',
            MEMCACHED_SERVERS: this.#serversOf(index),
            ...options.env?.(index),
          },
        }),
      ),
    );
    for (const outcome of started) if (outcome.status === 'fulfilled') this.processes.push(outcome.value);
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * MEMCACHED_SERVERS of one process: `name=address` per server, the address being the
   * server's own or, on a proxied link, its proxy's. Every process names each server alike,
   * so every ring puts every key on the same server however the process reaches it.
   */
  #serversOf(process: number): string {
    return this.servers
      .map((server, index) => {
        const address = this.#proxies.get(`${process}:${index}`)?.address ?? server.memcached.address;
        return `${server.name}=${address}`;
      })
      .join(',');
  }

  link(process: number, server: number): FaultProxy {
    const proxy = this.#proxies.get(`${process}:${server}`);
    if (!proxy) throw new Error(`the link P${process + 1} → ${this.servers[server]?.name ?? server} is direct`);
    return proxy;
  }

  serverStats(server: number): Promise<Record<string, string>> {
    const target = this.servers[server];
    if (!target) throw new Error(`no server ${server}`);
    return memcachedStats(target.memcached.address);
  }

  async locate(keys: readonly string[]): Promise<Map<string, number[]>> {
    const held = await Promise.all(this.servers.map((server) => memcachedGet(server.memcached.address, keys)));
    return new Map(keys.map((key) => [key, held.flatMap((values, index) => (values.has(key) ? [index] : []))]));
  }

  stats(): Promise<ProcessStats[]> {
    return Promise.all(this.processes.filter((process) => process.running).map((process) => process.stats()));
  }

  allUp(timeoutMs = 20_000): Promise<void> {
    return waitUntil(
      'every process to see every memcached server up',
      async () => (await this.stats()).every((stats) => stats.servers?.every((server) => server.state === 'up')),
      timeoutMs,
    );
  }

  async checkPages(paths: readonly string[]): Promise<PageCheckFigures> {
    const figures = emptyPageCheck();
    const sources = this.processes
      .filter((process) => process.running)
      .map((process) => ({
        name: process.name,
        get: async (path: string) => {
          const answer = await process.get(path);
          return { status: answer.status, html: answer.body };
        },
      }));
    await checkPages(sources, this.reference, paths, figures);
    return figures;
  }

  crashes(): string[] {
    return this.processes.flatMap((process) =>
      process.exits
        .filter((exit) => !exit.expected)
        .map((exit) => `${process.name} (pid ${exit.pid}) exited with ${exit.signal ?? exit.code}:\n${process.log()}`),
    );
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.processes.map((process) => process.kill()));
    await Promise.allSettled([...this.#proxies.values()].map((proxy) => proxy.close()));
    await this.#reference?.close().catch(() => {});
    await Promise.allSettled(this.servers.map((server) => server.memcached.stop()));
    this.#database?.remove();
  }
}
