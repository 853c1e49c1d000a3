import { describe, expect, it } from 'vitest';
import { MalformedReply, ReadReplyParser } from '../src/read-reply-parser';

type Event =
  | readonly ['value', string, number, string]
  | readonly ['value', string, number, string, string]
  | readonly ['end']
  | readonly ['meta', string, readonly string[]]
  | readonly ['meta', string, readonly string[], string];

/** A parser whose handler records every item (data decoded as UTF-8), END and meta answer it is handed. */
function recording(): { parser: ReadReplyParser; events: Event[] } {
  const events: Event[] = [];
  const parser = new ReadReplyParser({
    value: (key, flags, data, cas) =>
      events.push(
        cas === undefined
          ? ['value', key, flags, data.toString('utf8')]
          : ['value', key, flags, data.toString('utf8'), cas],
      ),
    end: () => events.push(['end']),
    meta: (code, flags, data) =>
      events.push(data === undefined ? ['meta', code, [...flags]] : ['meta', code, [...flags], data.toString('utf8')]),
  });
  return { parser, events };
}

/** `VALUE` item of `value` as memcached sends it: header with the UTF-8 byte length, data, CRLF. */
function item(key: string, flags: number, value: string): Buffer {
  const data = Buffer.from(value, 'utf8');
  return Buffer.concat([Buffer.from(`VALUE ${key} ${flags} ${data.length}\r\n`), data, Buffer.from('\r\n')]);
}

const END = Buffer.from('END\r\n');

/** Feeds `bytes` in chunks of `size` bytes. */
function feedInChunks(parser: ReadReplyParser, bytes: Buffer, size: number): void {
  for (let at = 0; at < bytes.length; at += size) parser.feed(bytes.subarray(at, at + size));
}

const TRICKY = [
  'line one\r\nline two\nline three\r',
  'END\r\n',
  '\r\nEND\r\nVALUE other 0 5\r\nhello\r\nEND\r\n',
  'back\\\r\nslash\\\n',
  'Zoë “quotes” — 日本語 🎉',
  '',
];

describe('ReadReplyParser', () => {
  it('reads values holding CRLF, END and VALUE lines as data, by their byte length', () => {
    const { parser, events } = recording();
    parser.feed(Buffer.concat([...TRICKY.map((value, index) => item(`k${index}`, 17235, value)), END]));
    expect(events).toEqual([...TRICKY.map((value, index) => ['value', `k${index}`, 17235, value]), ['end']]);
  });

  it('reads the same answer handed over one byte at a time, multibyte characters cut in the middle', () => {
    const whole = Buffer.concat([...TRICKY.map((value, index) => item(`k${index}`, 0, value)), END]);
    const { parser, events } = recording();
    feedInChunks(parser, whole, 1);
    expect(events).toEqual([...TRICKY.map((value, index) => ['value', `k${index}`, 0, value]), ['end']]);
  });

  it('reads a value spread over many chunks, whatever the chunk size', () => {
    const large = `${'<p>ünïcödé\r\n</p>'.repeat(5000)}END\r\n`;
    const whole = Buffer.concat([item('large', 17235, large), item('small', 17235, 'after'), END]);
    for (const size of [7, 1000, 65536]) {
      const { parser, events } = recording();
      feedInChunks(parser, whole, size);
      expect(events, `chunks of ${size}`).toEqual([
        ['value', 'large', 17235, large],
        ['value', 'small', 17235, 'after'],
        ['end'],
      ]);
    }
  });

  it('reads the answers of pipelined gets one after the other, misses included', () => {
    const { parser, events } = recording();
    parser.feed(Buffer.concat([item('a', 1, 'x'), END, END, item('b', 2, 'y')]));
    parser.feed(END);
    expect(events).toEqual([['value', 'a', 1, 'x'], ['end'], ['end'], ['value', 'b', 2, 'y'], ['end']]);
  });

  it('reads the cas of a gets answer', () => {
    const { parser, events } = recording();
    parser.feed(Buffer.from('VALUE k 17235 2 18446744073709551615\r\nhi\r\nEND\r\n'));
    expect(events).toEqual([['value', 'k', 17235, 'hi', '18446744073709551615'], ['end']]);
  });

  it('reads meta answers: a VA with its data block (empty or holding CRLF and END), and status lines with flags', () => {
    const { parser, events } = recording();
    const answer = 'VA 0 c4 f0 ka W\r\n\r\nVA 8 c5 f17235 kb\r\nx\r\nEND\r\n\r\nEN\r\nEN kc\r\nHD\r\nNF\r\nEX\r\n';
    feedInChunks(parser, Buffer.from(answer), 1);
    expect(events).toEqual([
      ['meta', 'VA', ['c4', 'f0', 'ka', 'W'], ''],
      ['meta', 'VA', ['c5', 'f17235', 'kb'], 'x\r\nEND\r\n'],
      ['meta', 'EN', []],
      ['meta', 'EN', ['kc']],
      ['meta', 'HD', []],
      ['meta', 'NF', []],
      ['meta', 'EX', []],
    ]);
  });

  it('waits for the CRLF after a value before handing it over', () => {
    const { parser, events } = recording();
    const whole = item('k', 0, 'value');
    parser.feed(whole.subarray(0, whole.length - 1));
    expect(events).toEqual([]);
    parser.feed(whole.subarray(whole.length - 1));
    expect(events).toEqual([['value', 'k', 0, 'value']]);
  });

  it.each([
    ['an error line', 'SERVER_ERROR out of memory\r\n'],
    ['an answer to another command', 'STORED\r\n'],
    ['a header without its length', 'VALUE k 0\r\n'],
    ['a cas that is not a number', 'VALUE k 0 1 9x\r\nx\r\nEND\r\n'],
    ['a cas of 21 digits', `VALUE k 0 1 ${'1'.repeat(21)}\r\nx\r\nEND\r\n`],
    ['a VA without its length', 'VA c1\r\n'],
    ['a VA block longer than announced', 'VA 1 c1\r\nab\r\n'],
    ['a meta code memcached does not send for our commands', 'MN\r\n'],
    ['a meta flag that is not a letter', 'HD 1\r\n'],
    ['a meta line with two spaces', 'HD  c1\r\n'],
    ['a negative length', 'VALUE k 0 -1\r\n'],
    ['flags above 32 bits', 'VALUE k 4294967296 1\r\nx\r\n'],
    ['a length above 1 GiB', 'VALUE k 0 1073741825\r\n'],
    ['a value longer than announced', 'VALUE k 0 2\r\nabc\r\nEND\r\n'],
    ['a line ended by LF alone', 'END\n'],
    ['an empty line', '\r\n'],
    ['a line of 600 bytes', `VALUE ${'k'.repeat(600)} 0 1\r\n`],
    ['600 bytes without a line end', 'x'.repeat(600)],
  ])('throws MalformedReply on %s', (_what, answer) => {
    const { parser } = recording();
    expect(() => parser.feed(Buffer.from(answer, 'latin1'))).toThrow(MalformedReply);
  });

  it('passes on what the handler throws', () => {
    const parser = new ReadReplyParser({
      value: () => {},
      meta: () => {},
      end: () => {
        throw new Error('no get waiting');
      },
    });
    expect(() => parser.feed(END)).toThrow('no get waiting');
  });
});
