import { type RedisProcess, startRedis } from '@cachesweeper/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { redisBackend } from '../src';

let server: RedisProcess;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(() => server.stop());

it('works on a client you made, and leaves it connected when closed', async () => {
  const client = new Redis(server.url);
  const backend = redisBackend({ client });
  expect(await backend.set('mine', 'value', 0)).toBe(true);
  expect(await backend.getMany(['mine', 'absent'])).toEqual(['value', undefined]);
  await backend.close();
  expect(await client.get('mine')).toBe('value');
  client.disconnect();
});
