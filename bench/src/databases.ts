import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CacheSweeperError } from '@cachesweeper/core';
import { Sequelize } from 'sequelize';

/** The databases every page state runs on. */
export const DATABASES = ['sqlite', 'postgres'] as const;

/** A database the bench runs the blog on. */
export type DatabaseName = (typeof DATABASES)[number];

/** How tables name each database. */
export const DATABASE_LABELS: Readonly<Record<DatabaseName, string>> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** The PostgreSQL server the bench uses unless `BENCH_POSTGRES_URL` names another (trust auth, database `test`). */
export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Every schema the bench creates starts with this, then its creation time, the process id and a random tag. */
export const SCHEMA_PREFIX = 'cs_bench_';

/** The prefix as a LIKE pattern (`_` matches any character there). */
const LIKE_PREFIX = SCHEMA_PREFIX.replaceAll('_', '\\_');

/** Schemas of runs that died without dropping them are dropped by a later run after this long. */
const ABANDONED_AFTER_MS = 12 * 60 * 60 * 1000;

/** The PostgreSQL server of this run: `BENCH_POSTGRES_URL`, or the default. */
export function postgresUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.BENCH_POSTGRES_URL ?? DEFAULT_POSTGRES_URL;
}

/** One contender's database: its own SQLite file, or its own schema on the PostgreSQL server. */
export interface BenchDatabase {
  readonly name: DatabaseName;
  readonly sequelize: Sequelize;
  /** The SQLite file, or the PostgreSQL schema. */
  readonly location: string;
  /** Drops the schema (PostgreSQL; the SQLite file goes with the run's directory). Call before closing `sequelize`. */
  drop(): Promise<void>;
}

/** The schema a contender labelled `label` gets in this process: `cs_bench_<ms>_<pid>_<random>_<label>`. */
export function schemaName(label: string, now = Date.now()): string {
  const safe = label.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  const name = `${SCHEMA_PREFIX}${now}_${process.pid}_${randomBytes(3).toString('hex')}_${safe}`;
  // PostgreSQL truncates identifiers silently at 63 bytes: two labels could then share a schema.
  if (name.length > 63) {
    throw new CacheSweeperError('bench', `schema name "${name}" is over PostgreSQL's 63 bytes; use a shorter label`);
  }
  return name;
}

/**
 * Opens a contender's database. PostgreSQL: a fresh schema on the server of
 * `postgresUrl()` (every model is defined in it), reached over TCP, so each query
 * pays a network round trip, as in production.
 */
export async function openBenchDatabase(name: DatabaseName, dir: string, label: string): Promise<BenchDatabase> {
  if (name === 'sqlite') {
    const storage = join(dir, `${label}.sqlite`);
    const sequelize = new Sequelize({ dialect: 'sqlite', storage, logging: false });
    return { name, sequelize, location: storage, drop: async () => {} };
  }
  const schema = schemaName(label);
  const sequelize = new Sequelize(postgresUrl(), { logging: false, define: { schema } });
  try {
    await sequelize.query(`CREATE SCHEMA "${schema}"`);
  } catch (error) {
    await sequelize.close();
    throw unreachable(postgresUrl(), error);
  }
  return {
    name,
    sequelize,
    location: schema,
    drop: () => sequelize.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).then(() => {}),
  };
}

/**
 * The PostgreSQL server's version, after dropping the bench schemas that runs
 * killed before their cleanup left behind over 12 hours ago (a live run never
 * lasts that long). Fails, naming the server, when it cannot be reached.
 */
export async function preparePostgres(url = postgresUrl(), now = Date.now()): Promise<string> {
  const sequelize = new Sequelize(url, { logging: false });
  try {
    const [versions] = await sequelize
      .query("SELECT current_setting('server_version') AS version")
      .catch((error: unknown) => {
        throw unreachable(url, error);
      });
    const [schemas] = await sequelize.query('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', {
      bind: [`${LIKE_PREFIX}%`],
    });
    for (const { nspname } of schemas as { nspname: string }[]) {
      const created = Number(nspname.slice(SCHEMA_PREFIX.length).split('_')[0]);
      if (Number.isFinite(created) && now - created > ABANDONED_AFTER_MS) {
        await sequelize.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
      }
    }
    return (versions as { version: string }[])[0]?.version ?? 'unknown';
  } finally {
    await sequelize.close();
  }
}

/** The bench schemas of this process still on the server (a finished run leaves none). */
export async function schemasOfThisProcess(): Promise<string[]> {
  const sequelize = new Sequelize(postgresUrl(), { logging: false });
  try {
    const [rows] = await sequelize.query('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', {
      bind: [`${LIKE_PREFIX}%\\_${process.pid}\\_%`],
    });
    return (rows as { nspname: string }[]).map((row) => row.nspname);
  } finally {
    await sequelize.close();
  }
}

function unreachable(url: string, error: unknown): CacheSweeperError {
  const reason = error instanceof Error ? error.message : String(error);
  // The URL without its user and password.
  const where = url.replace(/\/\/[^@/]*@/, '//');
  return new CacheSweeperError(
    'bench',
    `PostgreSQL at ${where} refused the bench (${reason}); start it (the bench needs a server with trust auth and a database it may create schemas in) or set BENCH_POSTGRES_URL`,
    { cause: error },
  );
}
