import { CacheSweeperError } from '@cachesweeper/core';
import { describe, expect, it } from 'vitest';
import { type RedisBackendOptions, redisBackend } from '../src';

function refusal(options: unknown): string {
  try {
    redisBackend(options as RedisBackendOptions).close();
  } catch (error) {
    expect(error).toBeInstanceOf(CacheSweeperError);
    return (error as Error).message;
  }
  throw new Error('the options were accepted');
}

describe('redisBackend options', () => {
  it('asks where Redis is when no url, host, nodes or client is given', () => {
    expect(refusal({})).toBe(
      '[cachesweeper] [redis] say where Redis is: one of url, host, nodes (Redis Cluster) or client',
    );
    expect(refusal(undefined)).toMatch(/options must be an object/);
  });

  it('refuses two places at once', () => {
    expect(refusal({ url: 'redis://a:1', nodes: ['b:2'] })).toMatch(/give only one of .* got url and nodes/);
  });

  it('refuses a url that is not redis:// or rediss://, without echoing it (it may hold a password)', () => {
    const message = refusal({ url: 'http://user:secret@host:1' });
    expect(message).toMatch(/option url must look like redis:\/\/host:port/);
    expect(message).not.toContain('secret');
  });

  it('refuses cluster nodes that are not host:port, naming the bad one', () => {
    expect(refusal({ nodes: ['127.0.0.1:7000', 'localhost'] })).toMatch(/cluster node "localhost" is not "host:port"/);
    expect(refusal({ nodes: [] })).toMatch(/non-empty array/);
  });

  it('refuses a port without a host, and a port out of range', () => {
    expect(refusal({ url: 'redis://a:1', port: 1 })).toMatch(/port 1 needs host/);
    expect(refusal({ host: 'a', port: 70_000 })).toMatch(/port must be <= 65535/);
  });

  it('refuses a client that is not an ioredis client', () => {
    expect(refusal({ client: { get() {} } })).toMatch(/client must be an ioredis Redis or Cluster instance/);
  });

  it.each([
    ['timeoutMs', 0],
    ['graceMs', 1.5],
    ['retryMs', -1],
    ['maxValueBytes', '1mb'],
    ['maxPendingBumps', 0],
  ])('refuses %s = %j, naming it', (name, value) => {
    expect(refusal({ host: 'localhost', [name]: value })).toMatch(new RegExp(`option ${name} must be a whole number`));
  });

  it('refuses an onEvent that is not a function', () => {
    expect(refusal({ host: 'localhost', onEvent: 'log' })).toMatch(/onEvent must be a function/);
  });
});
