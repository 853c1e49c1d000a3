import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type MemcachedBackend, memcachedBackend } from '../src';
import { waitForState, watchProcess } from './helpers';

/**
 * A fake memcached, to inject faults: answers each read line (`get`, `gets`, `mg`, `md`)
 * with `answer(keys, command)`, one byte per turn.
 */
async function fakeServer(
  answer: (keys: string[], command: string) => string,
): Promise<{ address: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let received = '';
    socket.on('data', async (chunk: Buffer) => {
      received += chunk.toString('latin1');
      for (let eol = received.indexOf('\r\n'); eol >= 0; eol = received.indexOf('\r\n')) {
        const line = received.slice(0, eol);
        received = received.slice(eol + 2);
        const [command = '', ...words] = line.split(' ');
        if (!['get', 'gets', 'mg', 'md'].includes(command)) continue;
        const asked = command === 'get' || command === 'gets' ? words : words.slice(0, 1);
        for (const byte of Buffer.from(answer(asked, command), 'utf8')) {
          if (socket.destroyed) return;
          socket.write(Buffer.of(byte));
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A backend on a fake server started by `start(answer)` in each test, closed (with no uncaught problem) after it. */
function useFakeBackend() {
  let fake: Awaited<ReturnType<typeof fakeServer>> | undefined;
  let backend: MemcachedBackend | undefined;
  let watch: ReturnType<typeof watchProcess> | undefined;
  afterEach(async () => {
    await backend?.close();
    await fake?.close();
    watch?.stop();
    expect(watch?.problems).toEqual([]);
  });
  return {
    async start(answer: (keys: string[], command: string) => string) {
      watch = watchProcess();
      fake = await fakeServer(answer);
      backend = memcachedBackend({ servers: [fake.address], timeoutMs: 5000, retryMs: 60_000 });
    },
    get backend(): MemcachedBackend {
      if (backend === undefined) throw new Error('start() the fake first');
      return backend;
    },
    get fake(): Awaited<ReturnType<typeof fakeServer>> {
      if (fake === undefined) throw new Error('start() the fake first');
      return fake;
    },
  };
}

/** `VALUE` line and data of `value` under our flags, with its true byte length. */
const item = (key: string, value: string) => `VALUE ${key} 17235 ${Buffer.byteLength(value)}\r\n${value}\r\n`;

describe('answers to a get that memcached would never send, one byte at a time', () => {
  const env = useFakeBackend();
  const start = env.start;

  it('reads a well-formed answer cut into single bytes, multibyte characters included', async () => {
    await start((keys) => `${keys.map((key) => item(key, `${key}: ünï “ok” 🎉\r\nEND\r\n`)).join('')}END\r\n`);
    expect(await env.backend.getMany(['a', 'b'])).toEqual(['a: ünï “ok” 🎉\r\nEND\r\n', 'b: ünï “ok” 🎉\r\nEND\r\n']);
    expect(env.backend.servers()[0]).toMatchObject({ state: 'up', failures: 0 });
  });

  it.each([
    ['a value for a key that was not asked', () => `${item('not-asked', 'x')}END\r\n`],
    ['a value longer than its announced length', () => 'VALUE a 17235 1\r\nab\r\nEND\r\n'],
    ['an error line', () => 'SERVER_ERROR out of memory\r\n'],
    ['the answer to another command', () => 'STORED\r\n'],
  ])('fails the call and counts the server as down on %s', async (_what, answer) => {
    await start(answer);
    await expect(env.backend.getMany(['a', 'b'])).rejects.toThrow(/get of 2 key\(s\) on 127\.0\.0\.1:\d+/);
    expect(env.backend.servers()[0]).toMatchObject({ state: 'down', failures: 1 });
    expect(env.backend.servers()[0]?.lastError).toMatch(/unparseable answer to a read/);
  });

  it('counts the server as down when an answer comes that no get waits for', async () => {
    await start(() => 'END\r\nEND\r\n');
    expect(await env.backend.getMany(['a'])).toEqual([undefined]);
    await waitForState(env.backend, env.fake.address, 'down');
    expect(env.backend.servers()[0]?.lastError).toMatch(/END while no get was waiting/);
  });

  it('fails the call and counts the server as down when the connection closes in the middle of a value', async () => {
    await start(() => 'VALUE a 17235 100\r\nonly part of it');
    const reading = env.backend.getMany(['a']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await env.fake.close();
    await expect(reading).rejects.toThrow(/down|unanswered/);
    expect(env.backend.servers()[0]).toMatchObject({ state: 'down', failures: 1 });
  });
});

describe('answers to the meta commands of leases that memcached would never send, one byte at a time', () => {
  const env = useFakeBackend();
  const start = env.start;
  const lease = () => env.backend.leases!.read([{ key: 'a', lease: 'replace', stamp: '5' }, { key: 'b' }], 5);

  it('reads well-formed answers cut into single bytes: a win, a value and its stamp', async () => {
    await start(([key], command) => {
      if (command === 'md') return 'HD\r\n';
      if (command === 'mg') return `VA 0 c9 f0 k${key} W\r\n\r\n`;
      return 'VALUE b 17235 4 12\r\nb:ü\r\nEND\r\n'; // 4 bytes of UTF-8
    });
    expect(await lease()).toEqual([
      { kind: 'won', stamp: '9' },
      { kind: 'value', value: 'b:ü', stamp: '12' },
    ]);
    expect(env.backend.servers()[0]).toMatchObject({ state: 'up', failures: 0 });
  });

  it.each([
    [
      'an answer naming another key',
      (command: string) => (command === 'mg' ? 'VA 0 c9 f0 kother W\r\n\r\n' : 'HD\r\n'),
    ],
    ['a flag it did not ask for', (command: string) => (command === 'mg' ? 'VA 0 c9 f0 ka W s0\r\n\r\n' : 'HD\r\n')],
    ['a cas that is not a number', (command: string) => (command === 'mg' ? 'VA 0 cx f0 ka W\r\n\r\n' : 'HD\r\n')],
    ['a VA without its cas', (command: string) => (command === 'mg' ? 'VA 0 f0 ka\r\n\r\n' : 'HD\r\n')],
    ['a get answer where a meta delete waits', () => 'END\r\n'],
    [
      'a gets value without its cas',
      (command: string) =>
        command === 'gets' ? 'VALUE b 17235 1\r\nx\r\nEND\r\n' : command === 'md' ? 'NF\r\n' : 'EN\r\n',
    ],
    ['an error line (a memcached older than 1.6 answers ERROR)', () => 'ERROR\r\n'],
  ])('fails the leased read and counts the server as down on %s', async (_what, answer) => {
    await start((_keys, command) => answer(command));
    await expect(lease()).rejects.toThrow(/(leased read|get) of \d key\(s\)/);
    expect(env.backend.servers()[0]).toMatchObject({ state: 'down', failures: 1 });
    expect(env.backend.servers()[0]?.lastError).toMatch(/unparseable answer to a read/);
  });

  it('names the likely cause when the server does not know the meta commands (ERROR)', async () => {
    await start(() => 'ERROR\r\n');
    await expect(lease()).rejects.toThrow(/memcached before 1\.6 .*leases: false/);
  });
});
