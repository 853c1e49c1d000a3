import { describe, expect, it } from 'vitest';
import { cacheName, createBlogSweeper } from '../src/cache';
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

  it('falls back to the in-memory cache when neither is set', () => {
    expect(cacheName(readConfig({}))).toBe('memory');
  });
});

describe('readConfig', () => {
  it('keeps the stats endpoint off and renders at full speed by default', () => {
    const config = readConfig({});
    expect(config.statsEndpoint).toBe(false);
    expect(config.renderDelayMs).toBe(0);
  });

  it('turns the stats endpoint on with 1, true, on or yes, and off with 0, false, off, no or nothing', () => {
    for (const value of ['1', 'true', 'on', 'yes', 'TRUE', ' on ']) {
      expect(readConfig({ BLOG_STATS_ENDPOINT: value }).statsEndpoint, value).toBe(true);
    }
    for (const value of ['', '0', 'false', 'off', 'no']) {
      expect(readConfig({ BLOG_STATS_ENDPOINT: value }).statsEndpoint, value).toBe(false);
    }
  });

  it('refuses a stats switch it cannot read, naming the variable and the value', () => {
    expect(() => readConfig({ BLOG_STATS_ENDPOINT: 'enabled' })).toThrow(
      '[cachesweeper] [blog] BLOG_STATS_ENDPOINT must be 1/true/on or 0/false/off, got "enabled"',
    );
  });

  it('reads the test-only render delay in whole milliseconds', () => {
    expect(readConfig({ BLOG_RENDER_DELAY_MS: '2500' }).renderDelayMs).toBe(2500);
    expect(readConfig({ BLOG_RENDER_DELAY_MS: '' }).renderDelayMs).toBe(0);
  });

  it('refuses a render delay that is not whole milliseconds from 0 to 600000', () => {
    for (const value of ['-1', '1.5', 'slow', '600001']) {
      expect(() => readConfig({ BLOG_RENDER_DELAY_MS: value }), value).toThrow(
        `[cachesweeper] [blog] BLOG_RENDER_DELAY_MS must be whole milliseconds from 0 to 600000, got ${JSON.stringify(value)}`,
      );
    }
  });

  it('reads memcached servers with or without names', () => {
    expect(
      readConfig({ MEMCACHED_SERVERS: 'a=127.0.0.1:11311, 127.0.0.1:11312,cache-b.1=localhost:11313' })
        .memcachedServers,
    ).toEqual(['a=127.0.0.1:11311', '127.0.0.1:11312', 'cache-b.1=localhost:11313']);
  });

  it('refuses a memcached server that is not host:port or name=host:port, naming the entry', () => {
    for (const entry of ['cache', 'a=cache', 'a b=127.0.0.1:1', '=127.0.0.1:1', 'a=b=127.0.0.1:1', 'a=http://x:1']) {
      expect(() => readConfig({ MEMCACHED_SERVERS: `127.0.0.1:11211,${entry}` }), entry).toThrow(
        `MEMCACHED_SERVERS entry ${JSON.stringify(entry)} must be host:port or name=host:port`,
      );
    }
  });
});

describe('createBlogSweeper with named servers', () => {
  it('refuses two entries with one name, naming both (the ring would put two servers in one place)', () => {
    expect(() => createBlogSweeper({ memcachedServers: ['a=127.0.0.1:11311', 'a=127.0.0.1:11312'] }, () => {})).toThrow(
      /servers\[1\] "a=127.0.0.1:11312" has the name of servers\[0\] "a=127.0.0.1:11311"/,
    );
  });
});
