import type { CacheBackend } from '@cachesweeper/core';
import type { Sequelize } from 'sequelize';

/** One cache call or SQL statement of a render, in µs from the render's start. */
export interface TimelineEvent {
  readonly start: number;
  readonly end: number;
  /** `getMany(200)`, `leases.read(2)`, `sql SELECT …`. */
  readonly what: string;
}

/** Records what a page waits for while it renders: its cache calls and its SQL. */
export interface RoundTimeline {
  /** Starts a new render's timeline (its clock starts at 0 now). */
  begin(): void;
  /** The events since `begin`, by start; a call still running shows no end. */
  events(): TimelineEvent[];
  /** Puts the backend's methods and the database's hooks back as they were. */
  stop(): void;
}

/** An event as it is recorded: its end comes when its call settles. */
interface OpenEvent {
  readonly start: number;
  end?: number;
  what: string;
}

/** Backend methods a page calls while it renders (the `close` of teardown is left alone). */
const BACKEND_CALLS = ['get', 'getMany', 'set', 'setMany', 'add', 'incr', 'delete'] as const;
/** Fleet-wide lease calls: reading a missed fragment with its lease is a round of its own. */
const LEASE_CALLS = ['read', 'release', 'store'] as const;
/** The hook names this timeline adds to the Sequelize instance (removed by `stop`). */
const HOOK_NAME = 'cachesweeper-bench-timeline';

/**
 * Wraps the methods of `backend` (and of its `leases`) and hooks the SQL of `sequelize`,
 * so each render's rounds show with their start, end and size. What a page waits for
 * is the point: a round's end is when its answer reached this process's event loop, and
 * the gap before the next event is this process's own work.
 */
export function recordRounds(backend: CacheBackend, sequelize: Sequelize): RoundTimeline {
  let origin = process.hrtime.bigint();
  let list: OpenEvent[] = [];
  const now = () => Number(process.hrtime.bigint() - origin) / 1000;
  const restores: (() => void)[] = [];
  let depth = 0;
  const wrap = (target: object, names: readonly string[], label: (name: string) => string) => {
    const methods = target as Record<string, unknown>;
    for (const name of names) {
      const original = methods[name];
      if (typeof original !== 'function') continue;
      const hadOwn = Object.hasOwn(methods, name);
      methods[name] = function (this: unknown, ...args: unknown[]) {
        const call = original as (...rest: unknown[]) => unknown;
        // A call made by a wrapped call (the memory backend's getMany runs its sync one) is part of it.
        if (depth > 0) return call.apply(this, args);
        const first = args[0];
        const event: OpenEvent = {
          start: now(),
          what: `${label(name)}(${Array.isArray(first) ? first.length : 1})`,
        };
        list.push(event);
        depth++;
        let answer: unknown;
        try {
          answer = call.apply(this, args);
        } finally {
          depth--;
        }
        const settle = () => {
          event.end = now();
        };
        if (answer instanceof Promise) answer.then(settle, settle);
        else settle();
        return answer;
      };
      restores.push(() => {
        if (hadOwn) methods[name] = original;
        else delete methods[name];
      });
    }
  };
  wrap(backend, BACKEND_CALLS, (name) => name);
  if (backend.leases !== undefined) wrap(backend.leases, LEASE_CALLS, (name) => `leases.${name}`);
  // An in-process backend is also called synchronously (no round: its calls show where the work went).
  if (backend.sync !== undefined) wrap(backend.sync, BACKEND_CALLS, (name) => `sync.${name}`);
  const started = new WeakMap<object, OpenEvent>();
  sequelize.addHook('beforeQuery', HOOK_NAME, (_options, query) => {
    const event: OpenEvent = { start: now(), what: 'sql' };
    started.set(query as object, event);
    list.push(event);
  });
  // Sequelize hands the statement to the query after `beforeQuery`: it is named at its end.
  sequelize.addHook('afterQuery', HOOK_NAME, (_options, query) => {
    const event = started.get(query as object);
    if (event === undefined) return;
    event.end = now();
    event.what = `sql ${String((query as { sql?: unknown }).sql ?? '').slice(0, 70)}`;
  });
  restores.push(() => {
    sequelize.removeHook('beforeQuery', HOOK_NAME);
    sequelize.removeHook('afterQuery', HOOK_NAME);
  });
  return {
    begin() {
      origin = process.hrtime.bigint();
      list = [];
    },
    events: () =>
      list
        .map((event) => ({ start: event.start, end: event.end ?? Number.NaN, what: event.what }))
        .sort((a, b) => a.start - b.start),
    stop() {
      for (const restore of restores.reverse()) restore();
    },
  };
}

/** A render's events as lines: `  158 →   328 µs  getMany(4)`, and the render's own end. */
export function timelineLines(events: readonly TimelineEvent[], renderMicros: number): string[] {
  const at = (value: number) => (Number.isNaN(value) ? '    …' : value.toFixed(0).padStart(5));
  return [
    ...events.map((event) => `${at(event.start)} → ${at(event.end)} µs  ${event.what}`),
    `${at(renderMicros)}         render returned`,
  ];
}
