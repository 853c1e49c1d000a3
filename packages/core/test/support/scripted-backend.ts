import { type CacheBackend, memoryBackend } from '../../src';

type Method = 'get' | 'getMany' | 'set' | 'setMany' | 'add' | 'incr' | 'delete';

/** How a scripted call behaves: as the real memory backend, rejected, or never answered. */
export type Behaviour = 'ok' | 'fail' | 'hang';

/**
 * A memory backend whose calls are counted and can be made to fail or hang, to
 * inject faults into the Sweeper. Async only (no `sync`) unless `sync` is asked for.
 */
export function scriptedBackend(options: { sync?: boolean } = {}) {
  const real = memoryBackend();
  const calls: { method: Method; args: unknown[] }[] = [];
  const behaviour: Partial<Record<Method, Behaviour>> = {};
  const wrap =
    (method: Method) =>
    (...args: unknown[]) => {
      calls.push({ method, args });
      const mode = behaviour[method] ?? 'ok';
      if (mode === 'fail') return Promise.reject(new Error(`scripted ${method} failure`));
      if (mode === 'hang') return new Promise(() => {});
      return (real[method] as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  const backend: CacheBackend = {
    name: 'scripted',
    maxValueBytes: real.maxValueBytes,
    get: wrap('get') as CacheBackend['get'],
    getMany: wrap('getMany') as CacheBackend['getMany'],
    set: wrap('set') as CacheBackend['set'],
    setMany: wrap('setMany') as NonNullable<CacheBackend['setMany']>,
    add: wrap('add') as CacheBackend['add'],
    incr: wrap('incr') as CacheBackend['incr'],
    delete: wrap('delete') as CacheBackend['delete'],
    flush: () => real.flush!(),
    close: () => real.close(),
    ...(options.sync ? { sync: real.sync } : {}),
  };
  return {
    backend,
    real,
    calls,
    /** Makes `method` behave as told from now on. */
    script(method: Method, mode: Behaviour) {
      behaviour[method] = mode;
    },
    /** How many calls of `method` were made. */
    count(method: Method) {
      return calls.filter((call) => call.method === method).length;
    },
  };
}
