export { type RedisBackend, redisBackend } from './backend';
export type { RedisBackendOptions } from './options';
export type { RedisBackendEvent, RedisBackendStatus } from './status';
