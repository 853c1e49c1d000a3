import { describe, expect, it } from 'vitest';
import { commandLine } from '../src/command-line';

describe('commandLine', () => {
  const argv = ['node', 'main.ts', '--state=vote', '--rounds=20', '--comments=0', '--least=x'];
  const { argument, oneOf, count, share } = commandLine('bench tool', argv);

  it('reads --name=value, or the fallback when the option is absent', () => {
    expect(argument('state', 'full')).toBe('vote');
    expect(argument('backend', 'memcached')).toBe('memcached');
  });

  it('takes a value from the allowed list, and names the command, option and value it refuses', () => {
    expect(oneOf('state', argument('state', 'full'), ['full', 'vote'])).toBe('vote');
    expect(() => oneOf('state', 'warm', ['full', 'vote'])).toThrow(
      '[cachesweeper] [bench tool] --state must be one of full, vote, got "warm"',
    );
  });

  it('takes whole numbers from the least allowed up', () => {
    expect(count('rounds', argument('rounds', '1'))).toBe(20);
    expect(count('comments', argument('comments', '1'), 0)).toBe(0);
    expect(() => count('comments', argument('comments', '1'))).toThrow(
      '[cachesweeper] [bench tool] --comments must be a whole number >= 1, got "0"',
    );
    expect(() => count('rounds', '2.5')).toThrow(/--rounds must be a whole number >= 1, got "2.5"/);
    expect(() => count('rounds', argument('least', '1'))).toThrow(/got "x"/);
  });

  it('takes a per cent between 0 and 100, exclusive, as a share', () => {
    expect(share('least', '2.5')).toBe(0.025);
    expect(() => share('least', argument('least', '1'))).toThrow(
      '[cachesweeper] [bench tool] --least must be a per cent above 0 and below 100, got "x"',
    );
    expect(() => share('least', '0')).toThrow(/got "0"/);
    expect(() => share('least', '100')).toThrow(/got "100"/);
  });
});
