import type { CacheBackend, SyncCacheBackend } from './backend';
import { withDeadline } from './deadline';
import type { BackendOp, Flow } from './flows';

/** How a flow ended: its value, or the round that failed and why. */
export type FlowOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly op: BackendOp; readonly error: unknown };

/** Hooks a runner calls around each round. */
export interface RoundObserver {
  /** Called once per round, before it starts. */
  round(op: BackendOp): void;
}

/** Runs a flow against an async backend, each round under `timeoutMs`. */
export async function runFlow<T>(
  flow: Flow<T>,
  backend: CacheBackend,
  timeoutMs: number,
  observer: RoundObserver,
): Promise<FlowOutcome<T>> {
  let step = flow.next();
  while (!step.done) {
    const op = step.value;
    observer.round(op);
    let result: unknown;
    try {
      result = await withDeadline(execute(op, backend), timeoutMs, `${backend.name} ${op.what}`);
    } catch (error) {
      flow.return(undefined as T);
      return { ok: false, op, error };
    }
    step = flow.next(result);
  }
  return { ok: true, value: step.value };
}

/** Runs a flow against a synchronous backend. */
export function runFlowSync<T>(flow: Flow<T>, backend: SyncCacheBackend, observer: RoundObserver): FlowOutcome<T> {
  let step = flow.next();
  while (!step.done) {
    const op = step.value;
    observer.round(op);
    let result: unknown;
    try {
      result = executeSync(op, backend);
    } catch (error) {
      flow.return(undefined as T);
      return { ok: false, op, error };
    }
    step = flow.next(result);
  }
  return { ok: true, value: step.value };
}

function execute(op: BackendOp, backend: CacheBackend): Promise<unknown> {
  try {
    switch (op.kind) {
      case 'getMany':
        return backend.getMany(op.keys);
      case 'addMany':
        return Promise.all(op.entries.map((entry) => backend.add(entry.key, entry.value, entry.ttlSeconds)));
      case 'incrMany':
        return Promise.all(op.keys.map((key) => backend.incr(key, 1)));
      case 'setMany':
        return backend.setMany
          ? backend.setMany(op.entries)
          : Promise.all(op.entries.map((entry) => backend.set(entry.key, entry.value, entry.ttlSeconds)));
    }
  } catch (error) {
    // A backend that throws instead of rejecting is still only a failed round.
    return Promise.reject(error);
  }
}

function executeSync(op: BackendOp, backend: SyncCacheBackend): unknown {
  switch (op.kind) {
    case 'getMany':
      return backend.getMany(op.keys);
    case 'addMany':
      return op.entries.map((entry) => backend.add(entry.key, entry.value, entry.ttlSeconds));
    case 'incrMany':
      return op.keys.map((key) => backend.incr(key, 1));
    case 'setMany':
      return op.entries.map((entry) => backend.set(entry.key, entry.value, entry.ttlSeconds));
  }
}
