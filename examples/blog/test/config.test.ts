import { describe, expect, it } from 'vitest';
import { cacheName } from '../src/cache';
import { readConfig } from '../src/config';

describe('the blog configuration', () => {
  it('runs on Redis with REDIS_URL, naming the server without its password', () => {
    const config = readConfig({ REDIS_URL: 'redis://:secret@127.0.0.1:6380' });
    expect(config.redisUrl).toBe('redis://:secret@127.0.0.1:6380');
    expect(cacheName(config)).toBe('redis 127.0.0.1:6380');
  });

  it('refuses MEMCACHED_SERVERS and REDIS_URL together', () => {
    expect(() => readConfig({ MEMCACHED_SERVERS: '127.0.0.1:11211', REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(
      '[cachesweeper] [blog] set MEMCACHED_SERVERS or REDIS_URL, not both: the blog uses one cache',
    );
  });

  it('refuses a REDIS_URL that is not redis:// or rediss://', () => {
    expect(() => readConfig({ REDIS_URL: '127.0.0.1:6379' })).toThrow(/REDIS_URL must look like redis:\/\/host:port/);
  });

  it('leaves the outbox to its default unless OUTBOX says on or off', () => {
    expect(readConfig({}).outbox).toBeUndefined();
    expect(readConfig({ OUTBOX: 'off' }).outbox).toBe(false);
    expect(readConfig({ OUTBOX: 'On' }).outbox).toBe(true);
    expect(() => readConfig({ OUTBOX: 'yes' })).toThrow('[cachesweeper] [blog] OUTBOX must be on or off, got "yes"');
  });

  it('turns caching off with CACHE=off, and says so', () => {
    expect(readConfig({ CACHE: 'off' }).caching).toBe(false);
    expect(cacheName(readConfig({ CACHE: 'off' }))).toBe('memory, caching off');
    expect(readConfig({}).caching).toBe(true);
    expect(() => readConfig({ CACHE: 'no' })).toThrow('[cachesweeper] [blog] CACHE must be on or off, got "no"');
  });

  it('falls back to the in-memory cache when neither is set', () => {
    expect(cacheName(readConfig({}))).toBe('memory');
  });
});
