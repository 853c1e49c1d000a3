import { type FaultProxy, type MemcachedProcess, startFaultProxy, startMemcached } from '@cachesweeper/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MemcachedBackend, memcachedBackend } from '../src';
import { flushesSeen, sleep, waitForState } from './helpers';

// A link that holds every byte past the grace period (a congested link, a paused VM) drops the
// server; it is probed at once, so it is back as soon as the link clears, not `retryMs` later.
const GRACE_MS = 300;
const RETRY_MS = 4_000;

describe('a server dropped because its link held every byte past the grace period', () => {
  let server: MemcachedProcess;
  let proxy: FaultProxy;
  let backend: MemcachedBackend;

  beforeEach(async () => {
    server = await startMemcached();
    proxy = await startFaultProxy(server.address);
    backend = memcachedBackend({ servers: [proxy.address], timeoutMs: 50, graceMs: GRACE_MS, retryMs: RETRY_MS });
    await backend.set('kept', 'before', 0);
  });
  afterEach(async () => {
    await backend.close();
    await proxy.close();
    await server.stop();
  });

  it('is back, as it was, soon after the link clears rather than retryMs later', async () => {
    proxy.setMode('hold');
    await expect(backend.get('kept')).rejects.toThrow(/missed its 50 ms deadline/);
    await waitForState(backend, proxy.address, 'down', 2_000);
    await sleep(100);
    const cleared = performance.now();
    proxy.setMode('pass');
    await waitForState(backend, proxy.address, 'up', RETRY_MS / 2);
    expect(performance.now() - cleared).toBeLessThan(RETRY_MS / 2);
    expect(await backend.get('kept')).toBe('before');
    expect(backend.servers()[0]).toMatchObject({ flushes: 0 });
    expect(await flushesSeen(server.address)).toBe(0);
  });

  it('keeps the regular probe schedule when the early probe gets no answer either', async () => {
    proxy.setMode('stall');
    await expect(backend.get('kept')).rejects.toThrow(/missed its 50 ms deadline/);
    await waitForState(backend, proxy.address, 'down', 2_000);
    const down = performance.now();
    // The early probe waits its grace period in vain; the link then clears.
    await sleep(GRACE_MS + 200);
    proxy.setMode('pass');
    await sleep(RETRY_MS / 2);
    expect(backend.servers()[0]?.state).toBe('down');
    await waitForState(backend, proxy.address, 'up', RETRY_MS);
    // The regular probe, `retryMs` after the fall: not doubled by the early one's failure.
    expect(performance.now() - down).toBeLessThan(RETRY_MS + 1_500);
    expect(await backend.get('kept')).toBe('before');
  });
});
