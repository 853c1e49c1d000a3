import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { processAlive, type RedisProcess, startRedis, startRedisCluster } from '../src';

const run = promisify(execFile);

/** Runs one redis-cli command against `server`; resolves its output, or 'timeout'. */
async function cli(server: RedisProcess, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(server.port), ...args], { timeout: 500 });
    return stdout.trim();
  } catch (error) {
    return (error as { killed?: boolean }).killed ? 'timeout' : String((error as Error).message);
  }
}

describe('startRedis', () => {
  const started: RedisProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.stop()));
  });

  it('starts a redis-server without persistence on the loopback port it reports', async () => {
    const server = await startRedis();
    started.push(server);
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(await cli(server, 'ping')).toBe('PONG');
    expect(await cli(server, 'config', 'get', 'appendonly')).toBe('appendonly\nno');
    expect(await cli(server, 'config', 'get', 'save')).toBe('save');
  });

  it('stops answering while frozen, answers again with its data once thawed, and restarts empty', async () => {
    const server = await startRedis();
    started.push(server);
    await cli(server, 'set', 'k', 'v');
    await server.freeze();
    expect(await cli(server, 'get', 'k')).toBe('timeout');
    await server.thaw();
    expect(await cli(server, 'get', 'k')).toBe('v');
    const pid = server.pid!;
    await server.restart();
    expect(processAlive(pid)).toBe(false);
    expect(await cli(server, 'exists', 'k')).toBe('0');
  });
});

describe('startRedisCluster', () => {
  it('joins three masters that share the 16384 slots, and a restarted node rejoins with its slots', {
    timeout: 60_000,
  }, async () => {
    const cluster = await startRedisCluster(3);
    try {
      const node = cluster.nodes[1]!;
      expect(await cli(node, 'cluster', 'info')).toMatch(/cluster_slots_assigned:16384[\s\S]*cluster_known_nodes:3/);
      await node.kill();
      await node.restart();
      expect(await cli(node, 'cluster', 'info')).toMatch(/cluster_slots_assigned:16384[\s\S]*cluster_known_nodes:3/);
      expect(await cli(node, 'cluster', 'countkeysinslot', '0')).toBe('0'); // a cluster node again, and empty
    } finally {
      await cluster.stop();
    }
  });
});
