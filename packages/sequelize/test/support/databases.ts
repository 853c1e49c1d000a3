import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sequelize } from 'sequelize';

/** Every test file runs on both. */
export const DIALECTS = ['sqlite', 'postgres'] as const;

/** A database the tests may use. */
export type Dialect = (typeof DIALECTS)[number];

/** How to reach a test database from another Sequelize instance or another process (plain data). */
export type DatabaseSpec =
  | { readonly dialect: 'sqlite'; readonly storage: string }
  | { readonly dialect: 'postgres'; readonly url: string; readonly schema: string };

/** A fresh, empty database of one dialect: its own SQLite file, or its own PostgreSQL schema. */
export interface TestDatabase {
  /** The Sequelize instance; define models on it. */
  readonly sequelize: Sequelize;
  /** Where it is, for `connectTo` (another process's view of the same database). */
  readonly spec: DatabaseSpec;
  /** Closes the connections and drops the file or schema. */
  close(): Promise<void>;
}

const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Opens an empty database. SQLite uses a file, not `:memory:`: Sequelize shares one
 * connection for every in-memory query, so a transaction's uncommitted writes would be
 * visible to everyone, and the transaction tests would test nothing.
 */
export async function openDatabase(dialect: Dialect, tag: string): Promise<TestDatabase> {
  const unique = `${tag}_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (dialect === 'sqlite') {
    const directory = await mkdtemp(join(tmpdir(), 'cachesweeper-sequelize-'));
    const spec = { dialect: 'sqlite', storage: join(directory, `${unique}.db`) } as const;
    const sequelize = connectTo(spec);
    return {
      sequelize,
      spec,
      async close() {
        await sequelize.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  }
  const spec = { dialect: 'postgres', url: POSTGRES_URL, schema: `cs_${unique}`.toLowerCase() } as const;
  const sequelize = connectTo(spec);
  await sequelize.query(`CREATE SCHEMA "${spec.schema}"`);
  return {
    sequelize,
    spec,
    async close() {
      await sequelize.query(`DROP SCHEMA "${spec.schema}" CASCADE`);
      await sequelize.close();
    },
  };
}

/** A new Sequelize instance on a test database (models default to its schema on PostgreSQL). */
export function connectTo(spec: DatabaseSpec): Sequelize {
  if (spec.dialect === 'sqlite') return new Sequelize({ dialect: 'sqlite', storage: spec.storage, logging: false });
  return new Sequelize(spec.url, { logging: false, define: { schema: spec.schema } });
}
