import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, type MemcachedProcess, startMemcached } from '@cachesweeper/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memcachedBackend } from '../src';

interface ChildRun {
  readonly code: number | null;
  readonly stderr: string;
  /** Milliseconds from "closed" on stdout to the exit; undefined if it never printed it. */
  readonly exitAfterCloseMs: number | undefined;
}

/** Runs test/fixtures/backend-child.ts in a fresh Node process; kills it after 20 s. */
function runChild(mode: string, address: string): Promise<ChildRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/backend-child.ts', mode, address], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let closedAt: number | undefined;
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdout.on('data', (chunk) => {
    if (String(chunk).includes('closed')) closedAt = performance.now();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(killer);
      const exitAfterCloseMs = closedAt === undefined ? undefined : performance.now() - closedAt;
      resolve({ code, stderr, exitAfterCloseMs });
    });
  });
}

// A process that keeps running after close() is the bug; 2 s of slack for a busy machine.
// (Once a server failed, the plain client's issue log holds timers of `retry` and
// `failuresTimeout` ms — 30 s and 5 min by default — that keep a process alive.)
const PROMPT_EXIT_MS = 2000;

describe('the backend and its process', () => {
  let server: MemcachedProcess;
  beforeAll(async () => {
    server = await startMemcached();
  });
  afterAll(() => server.stop());

  it('lets the process exit promptly after close()', { timeout: 30_000 }, async () => {
    const run = await runChild('ops', server.address);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.exitAfterCloseMs).toBeLessThan(PROMPT_EXIT_MS);
  });

  it('lets the process exit promptly after close() with calls in flight to a frozen server', {
    timeout: 30_000,
  }, async () => {
    await server.freeze();
    try {
      const run = await runChild('ops', server.address);
      expect(run.code).toBe(0);
      expect(run.exitAfterCloseMs).toBeLessThan(PROMPT_EXIT_MS);
    } finally {
      await server.thaw();
    }
  });

  it('never lets the client spawn ping nor throw, however long a server refuses connections', {
    timeout: 30_000,
  }, async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const run = await runChild('churn', address);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.exitAfterCloseMs).toBeLessThan(PROMPT_EXIT_MS);
  });

  it('control: the plain client crashes its process with "spawn ping ENOENT" in the same situation', {
    timeout: 30_000,
  }, async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const run = await runChild('plain-client-churn', address);
    expect(run.stderr).toContain('spawn ping ENOENT');
    expect(run.code).not.toBe(0);
  });

  it('rejects a call in flight at once when the backend is closed', async () => {
    const backend = memcachedBackend({ servers: [server.address], timeoutMs: 5000 });
    await backend.set('k', 'v', 0);
    await server.freeze();
    try {
      const inFlight = backend.get('k');
      const started = performance.now();
      await backend.close();
      await expect(inFlight).rejects.toThrow(/closed/);
      expect(performance.now() - started).toBeLessThan(1000); // not the 5 s deadline
    } finally {
      await server.thaw();
    }
  });
});
