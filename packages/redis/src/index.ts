export { type RedisBackend, redisBackend } from './backend';
export type { RedisBackendOptions, RedisClient } from './options';
export type { RedisBackendEvent, RedisBackendStatus } from './status';
