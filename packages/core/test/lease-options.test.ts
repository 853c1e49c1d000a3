import { describe, expect, it } from 'vitest';
import { createStats, createSweeper, memoryBackend } from '../src';
import { resolveLeaseSettings } from '../src/leases/lease-settings';

describe('the leases option of createSweeper', () => {
  it('waits at most the round deadline by default, polling every 20 ms, with leases of 5 s', () => {
    expect(resolveLeaseSettings(undefined)).toEqual({ waitMs: 1000, pollMs: 20, ttlSeconds: 5 });
    expect(resolveLeaseSettings({ waitMs: 50, pollMs: 10, ttlSeconds: 2 })).toEqual({
      waitMs: 50,
      pollMs: 10,
      ttlSeconds: 2,
    });
  });

  it('turns leases off with false', () => {
    expect(resolveLeaseSettings(false)).toBeUndefined();
  });

  it.each([
    [{ waitMs: -1 }, /leases\.waitMs must be a number of ms >= 0, got -1/],
    [{ pollMs: 0 }, /leases\.pollMs must be a number of ms >= 1, got 0/],
    [{ ttlSeconds: 1 }, /leases\.ttlSeconds must be whole seconds from 2 to 3600 .* got 1/],
    [{ ttlSeconds: 2.5 }, /leases\.ttlSeconds .* got 2\.5/],
    ['sometimes', /leases must be false or an object, got "sometimes"/],
  ])('refuses %j, naming the value', (option, message) => {
    expect(() => createSweeper({ leases: option as never })).toThrow(message);
  });

  it('renders as before on the memory backend, which offers no leases: nobody waits for another process', async () => {
    const sweeper = createSweeper({ backend: memoryBackend() });
    const stats = createStats();
    const html = await Promise.all(
      Array.from({ length: 5 }, () =>
        sweeper.fragment({ model: 'Comment', id: 1 }, 60, [], async () => '<li>once</li>', {
          session: sweeper.session({ stats }),
        }),
      ),
    );
    expect(html).toEqual(Array(5).fill('<li>once</li>'));
    expect(stats).toMatchObject({ renders: 1, leaseWaits: 0, leaseTimeouts: 0 });
  });
});
