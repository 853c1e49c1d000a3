import { CacheSweeperError } from '@cachesweeper/core';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { hashSlot } from './hash-slot';
import type { ResolvedOptions } from './options';

/** The ioredis client of a backend, and where each key lives. */
export interface Connection {
  /** The client commands go through. */
  readonly client: Redis | Cluster;
  /** Whether it is a Redis Cluster (keys are grouped by node, and by slot within a node). */
  readonly cluster: boolean;
  /** `host:port` of the server, or a description of the cluster, for messages. */
  readonly label: string;
  /** The node that holds `key` (`host:port` of its master), and the key's hash slot; throws while unknown. */
  route(key: string): { readonly node: string; readonly slot: number };
  /** A connection per master, to scan them (a purge). */
  masters(): Redis[];
  /** The client's connection status, e.g. `ready`. */
  status(): string;
  /** While the first connection is being made: a promise of its readiness; afterwards `undefined` (fail fast). */
  firstReady(): Promise<void> | undefined;
  /** Calls `listener` each time a connection becomes ready (after a reconnect too); returns the unsubscriber. */
  onReady(listener: (node: Redis) => void): () => void;
  /** Disconnects a client the backend made; leaves yours connected. */
  close(): void;
}

/**
 * Options that make ioredis fail fast rather than queue: no offline queue (a command
 * while disconnected fails at once instead of piling up until Redis returns), no
 * resending of commands in flight when a connection drops (their outcome is unknown,
 * and unknown bumps are ours to replay), a silent connection with commands in flight
 * is dropped after `graceMs` (a frozen server), and reconnection every `retryMs`.
 * RESP2: every Redis speaks it, and we need nothing of RESP3.
 */
function clientOptions(settings: ResolvedOptions): RedisOptions {
  return {
    connectTimeout: settings.graceMs,
    socketTimeout: settings.graceMs,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    protocol: 2,
    maintNotifications: 'disabled',
    ...(settings.username === undefined ? {} : { username: settings.username }),
    ...(settings.password === undefined ? {} : { password: settings.password }),
  };
}

/** Connects to the Redis the options name, or adopts the client given. */
export function connect(settings: ResolvedOptions): Connection {
  const { target, retryMs } = settings;
  const retryStrategy = () => retryMs;
  let client: Redis | Cluster;
  let owned = true;
  switch (target.kind) {
    case 'url':
      client = new Redis(target.url, { ...clientOptions(settings), enableOfflineQueue: false, retryStrategy });
      break;
    case 'server':
      client = new Redis({
        ...clientOptions(settings),
        host: target.host,
        port: target.port,
        enableOfflineQueue: false,
        retryStrategy,
      });
      break;
    case 'cluster':
      client = new Cluster([...target.nodes], {
        enableOfflineQueue: false,
        clusterRetryStrategy: retryStrategy,
        slotsRefreshTimeout: settings.graceMs,
        redisOptions: clientOptions(settings),
      });
      break;
    default:
      client = target.client;
      owned = false;
  }
  // ioredis reports connection errors as `error` events; they reach us as failed calls.
  const ignore = () => {};
  if (owned) client.on('error', ignore);
  return client instanceof Cluster
    ? clusterConnection(client, target.label, owned)
    : single(client, target.label, owned);
}

/**
 * The readiness of a client's first connection, shared by every call made before it:
 * a backend used right after it was made waits for Redis (within each call's
 * deadline) instead of failing at once. After that, a disconnected client fails
 * calls at once: waiting would make every page wait while Redis is away.
 */
function firstReadiness(client: Redis | Cluster): () => Promise<void> | undefined {
  let ready = client.status === 'ready';
  let waiting: Promise<void> | undefined;
  client.once('ready', () => {
    ready = true;
  });
  return () => {
    if (ready || client.status === 'end') return undefined;
    waiting ??= new Promise<void>((resolve) => client.once('ready', () => resolve()));
    return waiting;
  };
}

function single(client: Redis, label: string, owned: boolean): Connection {
  return {
    firstReady: firstReadiness(client),
    client,
    cluster: false,
    label,
    route: () => ({ node: label, slot: 0 }),
    masters: () => [client],
    status: () => client.status,
    onReady(listener) {
      const ready = () => listener(client);
      client.on('ready', ready);
      return () => client.off('ready', ready);
    },
    close() {
      if (owned) client.disconnect();
    },
  };
}

function clusterConnection(cluster: Cluster, label: string, owned: boolean): Connection {
  return {
    firstReady: firstReadiness(cluster),
    client: cluster,
    cluster: true,
    label,
    route(key) {
      const slot = hashSlot(key);
      const node = cluster.slots[slot]?.[0];
      if (node === undefined) {
        throw new CacheSweeperError('redis', `${label}: no node serves the slot of "${key}" yet (${cluster.status})`);
      }
      return { node, slot };
    },
    masters: () => cluster.nodes('master'),
    status: () => cluster.status,
    onReady(listener) {
      const watched = new Map<Redis, () => void>();
      const watch = (node: Redis) => {
        if (watched.has(node)) return;
        const ready = () => listener(node);
        watched.set(node, ready);
        node.on('ready', ready);
      };
      for (const node of cluster.nodes('all')) watch(node);
      cluster.on('+node', watch);
      return () => {
        cluster.off('+node', watch);
        for (const [node, ready] of watched) node.off('ready', ready);
      };
    },
    close() {
      if (owned) cluster.disconnect();
    },
  };
}
