import type { CacheBackend, SyncCacheBackend } from '../backend';
import { withDeadline } from '../deadline';
import { CacheSweeperError } from '../errors';
import { answeredRound, type RoundEnd } from '../telemetry/round-attributes';
import type { BackendOp, Conversation, FailedAdd } from './backend-rounds';

/** How a conversation ended: its value, or the round that failed and why. */
export type ConversationOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly op: BackendOp; readonly error: unknown };

/** A conversation that ended in a failed round. */
export type FailedConversation = Extract<ConversationOutcome<unknown>, { ok: false }>;

/** Told before each round; may return a function told how the round ended (for its span and metrics). */
export type RoundObserver = (op: BackendOp) => ((end: RoundEnd) => void) | undefined;

/** Runs a conversation against an async backend, each round under `timeoutMs`; `onRound` is told before each round. */
export async function runConversation<T>(
  conversation: Conversation<T>,
  backend: CacheBackend,
  timeoutMs: number,
  onRound: RoundObserver,
): Promise<ConversationOutcome<T>> {
  let step = conversation.next();
  while (!step.done) {
    const op = step.value;
    const finish = onRound(op);
    let result: unknown;
    try {
      result = await withDeadline(execute(op, backend), timeoutMs, `${backend.name} ${op.what}`);
    } catch (error) {
      finish?.({ ok: false, error });
      conversation.return(undefined as T);
      return { ok: false, op, error };
    }
    finish?.(answeredRound(op, result));
    step = conversation.next(result);
  }
  return { ok: true, value: step.value };
}

/** Runs a conversation against a synchronous backend. */
export function runConversationSync<T>(
  conversation: Conversation<T>,
  backend: SyncCacheBackend,
  onRound: RoundObserver,
): ConversationOutcome<T> {
  let step = conversation.next();
  while (!step.done) {
    const op = step.value;
    const finish = onRound(op);
    let result: unknown;
    try {
      result = executeSync(op, backend);
    } catch (error) {
      finish?.({ ok: false, error });
      conversation.return(undefined as T);
      return { ok: false, op, error };
    }
    finish?.(answeredRound(op, result));
    step = conversation.next(result);
  }
  return { ok: true, value: step.value };
}

/** One add's answer, or its failure as a value (a throw included). */
async function attempt(add: () => Promise<boolean>): Promise<boolean | FailedAdd> {
  try {
    return await add();
  } catch (failed) {
    return { failed };
  }
}

function execute(op: BackendOp, backend: CacheBackend): Promise<unknown> {
  try {
    switch (op.kind) {
      case 'getMany':
        return backend.getMany(op.keys);
      case 'addMany':
        return Promise.all(
          op.entries.map((entry) => attempt(() => backend.add(entry.key, entry.value, entry.ttlSeconds))),
        );
      case 'incrMany':
        return Promise.all(op.keys.map((key) => backend.incr(key, 1)));
      case 'setMany':
        return backend.setMany
          ? backend.setMany(op.entries)
          : Promise.all(op.entries.map((entry) => backend.set(entry.key, entry.value, entry.ttlSeconds)));
      case 'storeStamped':
        if (backend.leases?.store === undefined) throw noLeases(backend.name, 'stamped stores');
        return backend.leases.store(op.entries);
      case 'getStamped': {
        if (backend.leases === undefined) throw noLeases(backend.name);
        return Promise.all([backend.getMany(op.keys), backend.leases.read(op.stamped, op.ttlSeconds)]).then(
          ([values, answers]) => ({ values, answers }),
        );
      }
      case 'readLeased':
        if (backend.leases === undefined) throw noLeases(backend.name);
        return backend.leases.read(op.reads, op.ttlSeconds);
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
      return op.entries.map((entry): boolean | FailedAdd => {
        try {
          return backend.add(entry.key, entry.value, entry.ttlSeconds);
        } catch (failed) {
          return { failed };
        }
      });
    case 'incrMany':
      return op.keys.map((key) => backend.incr(key, 1));
    case 'setMany':
      return op.entries.map((entry) => backend.set(entry.key, entry.value, entry.ttlSeconds));
    case 'getStamped':
    case 'readLeased':
    case 'storeStamped':
      // Nothing can wait for another process synchronously: synchronous lookups never take leases.
      throw noLeases('synchronous');
  }
}

function noLeases(backend: string, what = 'fragment leases'): CacheSweeperError {
  return new CacheSweeperError('sweeper', `the ${backend} backend offers no ${what}`);
}
