import { connect } from 'node:net';
import { type MemcachedProcess, startMemcached } from '@cachesweeper/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadCommand } from '../src/call-contract';
import { CompareDeleteCommand, GetCommand, LeasingGetCommand } from '../src/read-commands';
import { MalformedReply, ReadReplyParser } from '../src/read-reply-parser';
import { StampedSetCommand } from '../src/stamped-stores';
import { sleep } from './helpers';

// Every flag the leases send, checked against the real memcached (1.6.18 here) rather
// than taken from the documentation: what each command answers, byte for byte, and
// how our commands read those answers.

let server: MemcachedProcess;
let keys = 0;
const fresh = () => `meta-${process.pid}-${++keys}`;

beforeAll(async () => {
  server = await startMemcached();
});
afterAll(() => server.stop());

/** Sends `lines` on a connection of its own (then `mn`, which memcached answers `MN` once all are answered). */
function raw(lines: string): Promise<string> {
  const [host, port] = [server.host, server.port];
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no whole answer to ${JSON.stringify(lines)}: ${JSON.stringify(answer)}`));
    }, 2000);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (!answer.endsWith('MN\r\n')) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer.slice(0, -'MN\r\n'.length));
    });
    socket.write(`${lines}mn\r\n`);
  });
}

/** Sends our commands and reads the answers with our parser, as a read connection does. */
async function through<T extends ReadCommand>(commands: T[]): Promise<T[]> {
  const answer = await raw(commands.map((command) => command.line).join(''));
  let at = 0;
  const head = () => commands[at] as ReadCommand;
  const parser = new ReadReplyParser({
    value: (key, flags, data, cas) => head().value(key, flags, data, cas),
    end: () => {
      if (head().end()) at++;
    },
    meta: (code, flags, data) => {
      if (head().meta(code, flags, data)) at++;
    },
  });
  parser.feed(Buffer.from(answer, 'latin1'));
  expect(at).toBe(commands.length);
  return commands;
}

describe('the meta commands of leases, on the real memcached', () => {
  it('runs a memcached that has them (1.6 or later)', async () => {
    expect(await raw('version\r\n')).toMatch(/^VERSION 1\.(6|[7-9])\.\d+/);
  });

  it('mg … N<ttl> creates an empty placeholder on a miss: W for the first reader, Z with the same cas for the next', async () => {
    const key = fresh();
    const first = await raw(`mg ${key} v c f k N30\r\n`);
    expect(first).toMatch(new RegExp(`^VA 0 c(\\d+) f0 k${key} W\\r\\n\\r\\n$`));
    const cas = /c(\d+)/.exec(first)?.[1];
    expect(await raw(`mg ${key} v c f k N30\r\n`)).toBe(`VA 0 c${cas} f0 k${key} Z\r\n\r\n`);
    const [won, taken] = await through([new LeasingGetCommand(fresh(), 30), new LeasingGetCommand(fresh(), 30)]);
    expect(won?.answer?.kind).toBe('won');
    expect(taken?.answer?.kind).toBe('won'); // another key: its own first reader
  });

  it('reads a placeholder as a miss with gets (flags 0, no bytes), and a set replaces it: no W or Z after', async () => {
    const key = fresh();
    await raw(`mg ${key} v c f k N30\r\n`);
    expect(await raw(`gets ${key}\r\n`)).toMatch(new RegExp(`^VALUE ${key} 0 0 \\d+\\r\\n\\r\\nEND\\r\\n$`));
    const [plain] = await through([new GetCommand([key], true)]);
    expect(plain?.found.size).toBe(0);
    await raw(`set ${key} 17235 30 4\r\nhtml\r\n`);
    const answer = await raw(`mg ${key} v c f k N30\r\n`);
    expect(answer).toMatch(new RegExp(`^VA 4 c\\d+ f17235 k${key}\\r\\nhtml\\r\\n$`));
    const [read] = await through([new LeasingGetCommand(key, 30)]);
    expect(read?.answer).toMatchObject({ kind: 'value', value: 'html' });
  });

  it('md … C<cas> deletes only while the cas is unchanged: EX after a write, HD on the same cas, NF once gone', async () => {
    const key = fresh();
    await raw(`set ${key} 17235 30 3\r\nold\r\n`);
    const cas = /VALUE \S+ \d+ \d+ (\d+)/.exec(await raw(`gets ${key}\r\n`))?.[1];
    await raw(`set ${key} 17235 30 3\r\nnew\r\n`);
    expect(await raw(`md ${key} C${cas}\r\n`)).toBe('EX\r\n');
    const current = /VALUE \S+ \d+ \d+ (\d+)/.exec(await raw(`gets ${key}\r\n`))?.[1];
    expect(await raw(`md ${key} C${current}\r\nmd ${key} C${current}\r\n`)).toBe('HD\r\nNF\r\n');
    const [gone] = await through([new CompareDeleteCommand(key, current as string)]);
    expect(gone?.deleted).toBe(false);
  });

  it('of two readers replacing the same stale copy (md C<cas> then mg N on one connection), exactly one wins', async () => {
    const key = fresh();
    await raw(`set ${key} 17235 30 5\r\nstale\r\n`);
    const [copy] = await through([new GetCommand([key], true)]);
    const stamp = copy?.stamps.get(key) as string;
    const replace = () => through([new CompareDeleteCommand(key, stamp), new LeasingGetCommand(key, 30)]);
    const [a, b] = await Promise.all([replace(), replace()]);
    const outcomes = [a, b].map((commands) => (commands[1] as LeasingGetCommand).answer?.kind).sort();
    expect(outcomes).toEqual(['taken', 'won']);
    expect([a, b].filter((commands) => (commands[0] as CompareDeleteCommand).deleted)).toHaveLength(1);
  });

  it('md … C<cas> of the placeholder gives the lease back: the next reader wins at once', async () => {
    const key = fresh();
    const [won] = await through([new LeasingGetCommand(key, 30)]);
    const answer = won?.answer;
    if (answer?.kind !== 'won') throw new Error(`no win: ${JSON.stringify(answer)}`);
    const [released] = await through([new CompareDeleteCommand(key, answer.stamp)]);
    expect(released?.deleted).toBe(true);
    const [next] = await through([new LeasingGetCommand(key, 30)]);
    expect(next?.answer?.kind).toBe('won');
  });

  it('expires a placeholder after its TTL: a reader wins it again', { timeout: 10_000 }, async () => {
    const key = fresh();
    expect(await raw(`mg ${key} v c f k N2\r\n`)).toMatch(/ W\r\n/);
    expect(await raw(`mg ${key} v c f k N2\r\n`)).toMatch(/ Z\r\n/);
    await sleep(3_100);
    expect(await raw(`mg ${key} v c f k N2\r\n`)).toMatch(/ W\r\n/);
  });

  it('ms … T<ttl> F<flags> c stores as set does and answers HD c<cas>, the cas gets reads; it ends a lease', async () => {
    const key = fresh();
    const answer = await raw(`ms ${key} 4 T30 F17235 c\r\nhtml\r\n`);
    const cas = /^HD c(\d+)\r\n$/.exec(answer)?.[1];
    expect(cas).toBeDefined();
    expect(await raw(`gets ${key}\r\n`)).toBe(`VALUE ${key} 17235 4 ${cas}\r\nhtml\r\nEND\r\n`);
    const leased = fresh();
    await raw(`mg ${leased} v c f k N30\r\n`);
    const [stored] = await through([new StampedSetCommand(leased, 'pagé', 30)]);
    expect(await raw(`mg ${leased} v c f k N30\r\n`)).toBe(
      `VA 5 c${stored?.stamp} f17235 k${leased}\r\npagé\r\n`.replace('é', '\u00c3\u00a9'),
    );
  });

  it('reads an ms answer without its cas, or with flags not asked for, as malformed', () => {
    const command = new StampedSetCommand('k', 'v', 30);
    expect(() => command.meta('HD', [])).toThrow(MalformedReply);
    expect(() => command.meta('HD', ['c12', 'kk'])).toThrow(MalformedReply);
    expect(() => command.meta('EX', [])).toThrow(MalformedReply);
    expect(command.meta('NS', [])).toBe(true);
    expect(command.stamp).toBeUndefined();
  });

  it('answers a miss of mg without N with EN and the key', async () => {
    const key = fresh();
    expect(await raw(`mg ${key} v c f k\r\n`)).toBe(`EN k${key}\r\n`);
  });
});
