import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { Sequelize } from 'sequelize';

/** The machine and versions a run was measured on. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly memcached: string;
  /** `redis-server --version`, shortened. */
  readonly redis: string;
  readonly sqlite: string;
  /** The PostgreSQL server's version (`SHOW server_version`). */
  readonly postgres: string;
  readonly packages: Readonly<Record<string, string>>;
  readonly date: string;
  /** 1-minute load average when the run started (other work on the machine skews figures). */
  readonly loadAtStart: number;
}

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Describes this machine, the memcached and Redis binaries, SQLite and the PostgreSQL server (its version, as `preparePostgres` read it). */
export async function describeMachine(postgres: string): Promise<MachineInfo> {
  const binary = process.env.MEMCACHED_BIN ?? '/usr/bin/memcached';
  let memcached = 'unknown';
  try {
    memcached = execFileSync(binary, ['-V'], { encoding: 'utf8' }).trim();
  } catch {
    // reported as unknown
  }
  let redis = 'unknown';
  try {
    const version = execFileSync(process.env.REDIS_SERVER_BIN ?? 'redis-server', ['--version'], { encoding: 'utf8' });
    redis = version.match(/v=(\S+)/)?.[1] ?? version.trim();
  } catch {
    // reported as unknown
  }
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
  const [rows] = await sequelize.query('SELECT sqlite_version() AS version');
  await sequelize.close();
  const processors = cpus();
  return {
    cpu: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    memcached,
    redis,
    sqlite: (rows as { version: string }[])[0]?.version ?? 'unknown',
    postgres,
    packages: Object.fromEntries(
      ['sequelize', 'sqlite3', 'pg', 'handlebars', 'memcached', 'express', 'autocannon'].map((name) => [
        name,
        packageVersion(name),
      ]),
    ),
    date: new Date().toISOString(),
    loadAtStart: loadavg()[0] ?? 0,
  };
}
