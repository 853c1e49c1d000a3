export { type MemcachedBackend, memcachedBackend } from './backend';
export type {
  ClientTuning,
  MemcachedBackendOptions,
  ServerChange,
  ServerEntry,
  ServerState,
  ServerStatus,
} from './public-types';
