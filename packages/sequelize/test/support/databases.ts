import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sequelize } from 'sequelize';

/** Every test file runs on both. */
export const DIALECTS = ['sqlite', 'postgres'] as const;

/** A database the tests may use. */
export type Dialect = (typeof DIALECTS)[number];

/** A fresh, empty database of one dialect: its own SQLite file, or its own PostgreSQL schema. */
export interface TestDatabase {
  /** The Sequelize instance; define models on it. */
  readonly sequelize: Sequelize;
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
    const sequelize = new Sequelize({ dialect: 'sqlite', storage: join(directory, `${unique}.db`), logging: false });
    return {
      sequelize,
      async close() {
        await sequelize.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  }
  const schema = `cs_${unique}`.toLowerCase();
  const sequelize = new Sequelize(POSTGRES_URL, { logging: false, define: { schema } });
  await sequelize.query(`CREATE SCHEMA "${schema}"`);
  return {
    sequelize,
    async close() {
      await sequelize.query(`DROP SCHEMA "${schema}" CASCADE`);
      await sequelize.close();
    },
  };
}
