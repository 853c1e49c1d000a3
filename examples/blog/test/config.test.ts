import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config';

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

  it('refuses a memcached server that is not host:port', () => {
    expect(() => readConfig({ MEMCACHED_SERVERS: '127.0.0.1:11211,cache' })).toThrow(
      'MEMCACHED_SERVERS entry "cache" must be host:port',
    );
  });
});
