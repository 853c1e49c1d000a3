import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, type MemcachedProcess, memcachedStats, processAlive, startMemcached } from '../src';

/** Sends one text-protocol command and resolves with the first answer line, or 'timeout'. */
function ask(port: number, command: string, timeoutMs = 300): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (value: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done(answer.split('\r\n')[0]!);
    });
    socket.write(`${command}\r\n`);
  });
}

describe('startMemcached', () => {
  const started: MemcachedProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.stop()));
  });

  it('starts a memcached that answers on the loopback port it reports', async () => {
    const server = await startMemcached();
    started.push(server);
    expect(server.address).toBe(`127.0.0.1:${server.port}`);
    expect(await ask(server.port, 'version')).toMatch(/^VERSION \d+\.\d+/);
  });

  it('stops answering while frozen and answers again, with its data, once thawed', async () => {
    const server = await startMemcached();
    started.push(server);
    expect(await ask(server.port, 'set k 0 0 1\r\nv')).toBe('STORED');
    await server.freeze();
    expect(await ask(server.port, 'get k')).toBe('timeout');
    await server.thaw();
    expect(await ask(server.port, 'get k')).toBe('VALUE k 0 1');
  });

  it('restarts empty on the same port with a new pid', async () => {
    const server = await startMemcached();
    started.push(server);
    const firstPid = server.pid;
    await ask(server.port, 'set k 0 0 1\r\nv');
    await server.restart();
    expect(server.pid).not.toBe(firstPid);
    expect(await ask(server.port, 'get k')).toBe('END');
  });

  it('kills a frozen server, and then nothing listens on its port', async () => {
    const server = await startMemcached();
    started.push(server);
    const pid = server.pid!;
    await server.freeze();
    await server.kill();
    expect(server.running).toBe(false);
    expect(processAlive(pid)).toBe(false);
    expect(await ask(server.port, 'version')).toBe('ECONNREFUSED');
  });

  it('passes memory and item size options to memcached', async () => {
    const server = await startMemcached({ memoryMb: 8, maxItemSize: '512k' });
    started.push(server);
    const big = 'x'.repeat(600 * 1024);
    expect(await ask(server.port, `set big 0 0 ${big.length}\r\n${big}`)).toMatch(/^SERVER_ERROR/);
  });

  it('lets a process with nothing else to do wait for stop() and then exit normally', async () => {
    const script = `
      import { startMemcached } from ${JSON.stringify(fileURLToPath(new URL('../src/index.ts', import.meta.url)))};
      const server = await startMemcached();
      await server.stop();
      console.log('stopped');
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    // Exit code 13: the process ended while `await server.stop()` was still pending.
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect({ code, stdout: stdout.trim() }).toEqual({ code: 0, stdout: 'stopped' });
  });

  it('names the port and stderr when memcached cannot start', async () => {
    const port = await freePort();
    await expect(startMemcached({ port, extraArgs: ['--no-such-option'] })).rejects.toThrow(
      new RegExp(`127\\.0\\.0\\.1:${port}`),
    );
  });
});

describe('memcachedStats', () => {
  it('reads the counters of a server over a connection of its own', async () => {
    const server = await startMemcached();
    try {
      await ask(server.port, 'set k 0 0 1\r\nv');
      const stats = await memcachedStats(server.address);
      expect(stats.cmd_set).toBe('1');
      expect(stats.curr_items).toBe('1');
    } finally {
      await server.stop();
    }
  });
});
