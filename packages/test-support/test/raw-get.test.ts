import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MemcachedProcess, memcachedGet, memcachedStats, startMemcached } from '../src';
import { rawExchange } from '../src/raw-exchange';

describe('memcachedGet', () => {
  let server: MemcachedProcess;
  beforeAll(async () => {
    server = await startMemcached();
    const value = 'two\r\nlines END\r\n';
    await rawExchange(
      server.address,
      `set present 0 0 ${value.length}\r\n${value}\r\nset other 0 0 1\r\n7\r\n`,
      (answer) => answer.toString('latin1') === 'STORED\r\nSTORED\r\n',
      2000,
    );
  });
  afterAll(async () => {
    await server.stop();
  });

  it('tells which of the asked keys the server holds, with their values byte for byte', async () => {
    const values = await memcachedGet(server.address, ['present', 'absent', 'other']);
    expect([...values]).toEqual([
      ['present', 'two\r\nlines END\r\n'],
      ['other', '7'],
    ]);
  });

  it('answers an empty list without asking the server', async () => {
    const before = Number((await memcachedStats(server.address)).cmd_get);
    expect(await memcachedGet(server.address, [])).toEqual(new Map());
    expect(Number((await memcachedStats(server.address)).cmd_get)).toBe(before);
  });

  it('rejects, naming the line, when the server answers with an error', async () => {
    await expect(memcachedGet(server.address, ['k'.repeat(300)])).rejects.toThrow(/unexpected answer line/);
  });

  it('rejects when nothing listens at the address', async () => {
    const stopped = await startMemcached();
    await stopped.stop();
    await expect(memcachedGet(stopped.address, ['k'])).rejects.toThrow(/ECONNREFUSED/);
  });
});
