import { freePort } from '@cachesweeper/test-support';
import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBenchDatabase, postgresUrl, preparePostgres, SCHEMA_PREFIX, schemaName } from '../src/databases';

// The bench's PostgreSQL contenders: a schema each on the shared server (other
// engineers' runs use it at the same time), dropped by the bench.
describe('the bench on PostgreSQL', () => {
  let admin: Sequelize;
  const exists = async (schema: string) => {
    const [rows] = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', { bind: [schema] });
    return rows.length === 1;
  };

  beforeAll(() => {
    admin = new Sequelize(postgresUrl(), { logging: false });
  });

  afterAll(async () => {
    await admin.close();
  });

  it('gives each contender its own schema and drops it', async () => {
    const database = await openBenchDatabase('postgres', '/nonexistent', 'pg-memory-n3');
    const schema = database.location;
    expect(schema).toMatch(new RegExp(`^${SCHEMA_PREFIX}\\d{13}_${process.pid}_[0-9a-f]{6}_pg_memory_n3$`));
    expect(await exists(schema)).toBe(true);
    await database.drop();
    await database.sequelize.close();
    expect(await exists(schema)).toBe(false);
  });

  it('drops the schemas of runs killed over 12 hours ago, and no other', async () => {
    const now = Date.now();
    // Schemas of other processes (pid 0): a run killed 13 hours ago, and one running now.
    const abandoned = schemaName('abandoned', now - 13 * 60 * 60 * 1000).replace(`_${process.pid}_`, '_0_');
    const running = schemaName('running', now - 60 * 1000).replace(`_${process.pid}_`, '_0_');
    await admin.query(`CREATE SCHEMA "${abandoned}"`);
    await admin.query(`CREATE SCHEMA "${running}"`);
    try {
      expect(await preparePostgres(postgresUrl(), now)).toMatch(/^\d+(\.\d+)*/);
      expect(await exists(abandoned)).toBe(false);
      expect(await exists(running)).toBe(true);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${abandoned}" CASCADE`);
      await admin.query(`DROP SCHEMA IF EXISTS "${running}" CASCADE`);
    }
  });

  it('refuses a label whose schema name PostgreSQL would truncate', () => {
    expect(() => schemaName('x'.repeat(40))).toThrow(/\[cachesweeper\] \[bench\] schema name "cs_bench_.*" is over/);
  });

  it('fails naming the server, without its credentials, when PostgreSQL cannot be reached', async () => {
    const port = await freePort();
    await expect(preparePostgres(`postgres://postgres:secret@127.0.0.1:${port}/test`)).rejects.toThrow(
      new RegExp(
        `^\\[cachesweeper\\] \\[bench\\] PostgreSQL at postgres://127\\.0\\.0\\.1:${port}/test refused the bench \\(.*ECONNREFUSED`,
      ),
    );
    await expect(preparePostgres(`postgres://postgres:secret@127.0.0.1:${port}/test`)).rejects.not.toThrow(/secret/);
  });
});
