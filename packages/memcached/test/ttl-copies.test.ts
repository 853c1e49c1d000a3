import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSweeper, type Sweeper } from '@cachesweeper/core';
import { describe, expect, it } from 'vitest';
import { memcachedBackend } from '../src';
import { serverForSweepers, sleep } from './helpers';

// A fragment cached with a TTL must not outlive it in any process, although each process
// keeps local copies of what it read (core's `localCopies`, 60 s by default). The writer is
// another OS process; this one reads the fragment, then must render it again once
// memcached has dropped it.

const run = promisify(execFile);
const target = { model: 'Comment', id: 1 };
const memcached = serverForSweepers('ttl-copies-');

/** Has another Node process render the fragment with `ttl` into `namespace`. */
async function writeInAnotherProcess(namespace: string, ttl: number): Promise<void> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/ttl-writer.ts', memcached.address(), namespace, String(ttl)],
    { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 20_000 },
  );
  expect(stdout.trim()).toBe('written');
}

function reader(namespace: string): Sweeper {
  return memcached.track(createSweeper({ backend: memcachedBackend({ servers: [memcached.address()] }), namespace }));
}

/** What this process serves for the fragment another process wrote with `ttl`: read at once, then 4.1 s later. */
async function servedBeforeAndAfterWait(ttl: number): Promise<[string, string]> {
  const namespace = memcached.namespace();
  await writeInAnotherProcess(namespace, ttl);
  const sweeper = reader(namespace);
  const render = () => sweeper.fragment(target, ttl, ['c'], () => 'rendered here');
  const before = await render();
  // memcached counts expiry in whole seconds of its own clock: a 3 s item is gone within 4 s.
  await sleep(4_100);
  return [before, await render()];
}

describe('local copies of a fragment with a TTL, across processes', () => {
  it('a process that read it renders it again once the TTL is over, not serving its copy', {
    timeout: 30_000,
  }, async () => {
    // 3 s, not 1: memcached may drop a 1 s item well under a second after it was stored, and on a
    // loaded machine the writer process can take that long to exit before this one reads.
    expect(await servedBeforeAndAfterWait(3)).toEqual(['rendered by the writer', 'rendered here']);
  });

  it('control: with no TTL the same wait changes nothing', { timeout: 30_000 }, async () => {
    expect(await servedBeforeAndAfterWait(0)).toEqual(['rendered by the writer', 'rendered by the writer']);
  });
});
