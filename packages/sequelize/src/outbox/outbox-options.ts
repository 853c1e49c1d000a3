import { CacheSweeperError, describeValue } from '@cachesweeper/core';

/** Where the outbox table lives: a name, or a name in a PostgreSQL schema. */
export type OutboxTable = string | { readonly tableName: string; readonly schema?: string };

/**
 * The `outbox` option of `installSweeper`: `true` for the defaults, or some of them
 * changed. Timings are on the database's clock, in milliseconds.
 */
export interface OutboxOptions {
  /** The table (default `cachesweeper_outbox`, in the schema of Sequelize's `define.schema`, if any). */
  readonly table?: OutboxTable;
  /** How often each process looks for rows to replay (default 100). */
  readonly pollMs?: number;
  /** Age of a row after which any process replays it, so its writer normally acknowledges it first (default 300). */
  readonly replayAfterMs?: number;
  /** How long a claimed row is left to its claimer before another process may claim it again (default 300). */
  readonly leaseMs?: number;
  /** Most rows one replay claims, coalesced into one row of their keys (default 500). */
  readonly batchRows?: number;
  /** Most keys a coalesced row keeps; past it, row keys give way to their models' generations (default 1000). */
  readonly maxKeys?: number;
  /** How long acknowledgements are gathered into one DELETE (default 100; keep it well below `replayAfterMs`). */
  readonly ackDelayMs?: number;
}

/** The outbox options with every default filled in. */
export interface ResolvedOutboxOptions {
  /** The table name. */
  readonly tableName: string;
  /** Its schema, if any. */
  readonly schema: string | undefined;
  /** See `OutboxOptions.pollMs`. */
  readonly pollMs: number;
  /** See `OutboxOptions.replayAfterMs`. */
  readonly replayAfterMs: number;
  /** See `OutboxOptions.leaseMs`. */
  readonly leaseMs: number;
  /** See `OutboxOptions.batchRows`. */
  readonly batchRows: number;
  /** See `OutboxOptions.maxKeys`. */
  readonly maxKeys: number;
  /** See `OutboxOptions.ackDelayMs`. */
  readonly ackDelayMs: number;
}

/** The table `installSweeper` uses when `outbox.table` is not given. */
export const DEFAULT_OUTBOX_TABLE = 'cachesweeper_outbox';

const DEFAULTS = { pollMs: 100, replayAfterMs: 300, leaseMs: 300, batchRows: 500, maxKeys: 1000, ackDelayMs: 100 };

const LIMITS: Readonly<Record<keyof typeof DEFAULTS, readonly [number, number]>> = {
  pollMs: [10, 60_000],
  replayAfterMs: [0, 3_600_000],
  leaseMs: [10, 3_600_000],
  batchRows: [1, 100_000],
  maxKeys: [1, 1_000_000],
  ackDelayMs: [0, 10_000],
};

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Checks the `outbox` option and fills in the defaults; `undefined` when the outbox
 * is off (`undefined` or `false`). Throws a CacheSweeperError naming the bad value.
 */
export function resolveOutboxOptions(
  option: boolean | OutboxOptions | undefined,
  defineSchema: string | undefined,
): ResolvedOutboxOptions | undefined {
  if (option === undefined || option === false) return undefined;
  const given: OutboxOptions = option === true ? {} : option;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new CacheSweeperError(
      'sequelize',
      `options.outbox must be true, false or an object of outbox options, got ${describeValue(option)}`,
    );
  }
  const known = new Set(['table', ...Object.keys(DEFAULTS)]);
  for (const name of Object.keys(given)) {
    if (!known.has(name)) {
      throw new CacheSweeperError(
        'sequelize',
        `options.outbox.${name} is not an outbox option (they are: ${[...known].join(', ')})`,
      );
    }
  }
  const numbers = { ...DEFAULTS };
  for (const name of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const value = given[name];
    if (value === undefined) continue;
    const [min, max] = LIMITS[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new CacheSweeperError(
        'sequelize',
        `options.outbox.${name} must be a whole number from ${min} to ${max}, got ${describeValue(value)}`,
      );
    }
    numbers[name] = value;
  }
  return { ...tableOf(given.table, defineSchema), ...numbers };
}

function tableOf(
  table: OutboxTable | undefined,
  defineSchema: string | undefined,
): { tableName: string; schema: string | undefined } {
  const { tableName, schema } =
    table === undefined || typeof table === 'string'
      ? { tableName: table ?? DEFAULT_OUTBOX_TABLE, schema: defineSchema }
      : { tableName: table?.tableName, schema: table?.schema };
  for (const [what, name] of [
    ['table', tableName],
    ['schema', schema],
  ] as const) {
    if (name === undefined && what === 'schema') continue;
    if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
      throw new CacheSweeperError(
        'sequelize',
        `options.outbox.table: the ${what} name must be 1-63 letters, digits or underscores, not starting with a digit, got ${describeValue(name)}`,
      );
    }
  }
  return { tableName, schema };
}
