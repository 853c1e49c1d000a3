import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { processAlive } from '../src';

it('kills the memcached it started when its Node process is killed with SIGKILL', async () => {
  const script = `
    import { startMemcached } from ${JSON.stringify(fileURLToPath(new URL('../src/index.ts', import.meta.url)))};
    const server = await startMemcached();
    await server.freeze(); // even a frozen one
    console.log(server.pid);
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pid = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  expect(processAlive(pid)).toBe(true);
  child.kill('SIGKILL');
  await expect.poll(() => processAlive(pid), { timeout: 5000 }).toBe(false);
});
