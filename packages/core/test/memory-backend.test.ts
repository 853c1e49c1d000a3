import { describe, expect, it } from 'vitest';
import { memoryBackend } from '../src';

describe('memoryBackend', () => {
  it('keeps at most maxEntries entries, dropping the least recently used', async () => {
    const backend = memoryBackend({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) await backend.set(key, key, 0);
    await backend.get('a');
    await backend.set('d', 'd', 0);
    expect(await backend.getMany(['a', 'b', 'c', 'd'])).toEqual(['a', undefined, 'c', 'd']);
  });

  it('keeps at most maxBytes of keys and values', async () => {
    const backend = memoryBackend({ maxBytes: 10_000 });
    for (let index = 0; index < 100; index++) await backend.set(`k${index}`, 'x'.repeat(500), 0);
    const kept = (await backend.getMany(Array.from({ length: 100 }, (_, index) => `k${index}`))).filter(Boolean);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length * 1000).toBeLessThanOrEqual(10_000);
  });

  it('refuses values over maxValueBytes as memcached does', async () => {
    const backend = memoryBackend({ maxValueBytes: 10 });
    expect(await backend.set('k', '0123456789', 0)).toBe(true);
    expect(await backend.set('k', '01234567890', 0)).toBe(false);
    expect(await backend.get('k')).toBeUndefined();
  });

  it('refuses bad options, naming the value', () => {
    expect(() => memoryBackend({ maxEntries: 0 })).toThrow(
      /\[cachesweeper\] \[memory\] option maxEntries must be a whole number > 0, got 0/,
    );
    expect(() => memoryBackend({ maxBytes: -1 })).toThrow(/maxBytes .* got -1/);
    expect(() => memoryBackend({ maxValueBytes: 1.5 })).toThrow(/maxValueBytes .* got 1.5/);
  });
});
