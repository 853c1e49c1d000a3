import { type RedisProcess, startRedis } from '@cachesweeper/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSlot } from '../src/hash-slot';

describe('hashSlot', () => {
  let server: RedisProcess;
  let client: Redis;
  beforeAll(async () => {
    // CLUSTER KEYSLOT needs cluster mode; the node need not be part of a cluster.
    server = await startRedis({ extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'] });
    client = new Redis(server.url);
  });
  afterAll(async () => {
    client.disconnect();
    await server.stop();
  });

  it('agrees with CLUSTER KEYSLOT of a real server on our keys, hash tags and their edge cases', async () => {
    const keys = [
      'cs:Article:=7',
      'cs:Comment:=123:=4503599627370496:A1b2:comment',
      'cs:#Zm9vYmFy',
      'cs:Article:*',
      '{user1000}.following',
      'foo{}{bar}',
      'foo{{bar}}zap',
      'foo{bar}{zap}',
      '{',
      'a}b{c',
      ...Array.from({ length: 200 }, (_, index) => `k:${index}:${(index * 7919).toString(36)}`),
    ];
    const slots = await Promise.all(keys.map((key) => client.call('cluster', 'keyslot', key)));
    expect(keys.map(hashSlot)).toEqual(slots);
  });
});
