export {
  type FaultMode,
  type FaultProxy,
  type FaultProxyOptions,
  type ProxyTarget,
  startFaultProxy,
} from './fault-proxy';
export { freePort, waitForPort } from './free-port';
export { garbageAnswer, seededRandom } from './garbage';
export { type MemcachedProcess, type MemcachedProcessOptions, startMemcached } from './memcached-process';
export { processAlive } from './process-alive';
export { memcachedGet } from './raw-get';
export {
  type RedisClusterProcesses,
  type RedisProcess,
  type RedisProcessOptions,
  startRedis,
  startRedisCluster,
} from './redis-process';
export { type ServerCommand, type ServerProcess, SpawnedServer, startOnFreePort } from './spawned-server';
export { memcachedStats } from './stats';
export { type Watchdog, watchOrphan } from './watchdog';
