import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BENCH = join(import.meta.dirname, '..');
const TSX = join(BENCH, 'node_modules/.bin/tsx');

/** Runs one of the bench's commands at a tiny scale; its stdout, or the failure with its stderr. */
async function command(script: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run(TSX, [script, ...args], { cwd: BENCH, timeout: 150_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

// The measuring commands end to end, at a scale that proves they run and report (their
// figures mean nothing here: the machine is shared and the runs are tiny). Each starts its
// own memcached server and seeds its own SQLite files.
describe('the bench commands', () => {
  it('pnpm ab times two versions of the page and prints their paired ratio', async () => {
    const stdout = await command('src/ab/main.ts', ['--state=full', '--comments=3', '--rounds=3']);
    expect(stdout).toMatch(/^full, N = 3, memcached, sqlite, 3 paired rounds$/m);
    expect(stdout).toMatch(/^A HEAD: median \d+\.\d{3} ms/m);
    expect(stdout).toMatch(/^B worktree: median \d+\.\d{3} ms/m);
    expect(stdout).toMatch(/^B \/ A: \d+\.\d{3} \(median of per-round ratios; middle half/m);
  });

  it('pnpm page-profile prints the rounds of a render and a CPU profile of the renders', async () => {
    const stdout = await command('src/profile/main.ts', ['--state=vote', '--comments=3', '--rounds=20']);
    expect(stdout).toMatch(/^vote, N = 3, memcached, sqlite$/m);
    expect(stdout).toMatch(/^render 1 of 3: \d+\.\d{3} ms$/m);
    // After one vote: the token round, the round with the lease, then the voted comment's queries.
    expect(stdout).toMatch(/µs {2}getMany\(\d+\)$/m);
    expect(stdout).toMatch(/µs {2}leases\.read\(\d+\)$/m);
    expect(stdout).toMatch(/µs {2}sql SELECT /m);
    expect(stdout).toMatch(/^ +\d+ +render returned$/m);
    expect(stdout).toMatch(/^20 renders profiled: median \d+\.\d{3} ms, \d+ samples inside them$/m);
    expect(stdout).toContain('ran most themselves:');
    expect(stdout).toMatch(/^ {2}100\.0% \(all\)$/m);
  });

  it('pnpm page-profile --pause starts every render after that long idle, and says so', async () => {
    const started = Date.now();
    const stdout = await command('src/profile/main.ts', [
      '--state=full',
      '--comments=3',
      '--rounds=20',
      '--timelines=1',
      '--pause=30',
    ]);
    expect(stdout).toMatch(/^full, N = 3, memcached, sqlite, after 30 ms idle$/m);
    expect(stdout).toMatch(/^20 renders profiled: median \d+\.\d{3} ms/m);
    // 100 warm-up renders, 1 timeline and 20 profiled renders, each after 30 ms.
    expect(Date.now() - started).toBeGreaterThan(121 * 30);
  });

  it('pnpm http-profile loads one app and prints the server profile of the load', async () => {
    const stdout = await command('src/profile/http-main.ts', ['--app=memory', '--comments=3', '--seconds=1']);
    expect(stdout).toMatch(/^memory, GET \/articles\/\d+, N = 3, 10 connections, 1 s$/m);
    expect(stdout).toMatch(/^\d+ req\/s, p50 \d+ ms, p99 \d+ ms, non-2xx 0, errors 0; \d+ samples in the server/m);
    expect(stdout).toContain('ran most themselves:');
    expect(stdout).toMatch(/^ {2}100\.0% \(all\)$/m);
  });

  it('refuses a bad option, naming the command, the option and the value, with exit code 2', async () => {
    const failure = await command('src/profile/main.ts', ['--state=warm']).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 2 });
    expect(String((failure as { stderr?: unknown }).stderr)).toContain(
      '[cachesweeper] [bench page-profile] --state must be one of full, vote, cold, batched, got "warm"',
    );
  });
});
