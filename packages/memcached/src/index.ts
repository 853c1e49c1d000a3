export { type MemcachedBackend, memcachedBackend } from './backend';
export type { ClientTuning, MemcachedBackendOptions } from './options';
export type { ServerChange, ServerState, ServerStatus } from './server-health';
export type { ServerEntry } from './server-list';
