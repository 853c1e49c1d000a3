import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CacheSweeperError,
  fragmentKey,
  generationKey,
  isGenerationKey,
  isValidCacheKey,
  type KeyPart,
  modelCounterKey,
  quoteKeyPart,
  validateNamespace,
  versionKey,
} from '../src';
import { contentsKey, isContentsKey, isModelCounterKey } from '../src/keys';

const keyPart: fc.Arbitrary<KeyPart> = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: fc.constantFrom('a', ':', '%', '~', '#', ' ', '\r', '\n', '\u0000', '=', '!', ',', '\uD800') }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.bigInt(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ noInvalidDate: true }),
);

const fragmentInput = fc.record({
  model: fc.oneof(fc.constantFrom('Article', 'Comment', 'A:b'), fc.string({ minLength: 1, unit: 'binary' })),
  id: fc.oneof(
    fc.integer(),
    fc.string({ minLength: 1 }),
    fc.array(fc.oneof(fc.integer(), fc.string()), { minLength: 1, maxLength: 3 }),
  ),
  token: fc.constantFrom('c4503599627370497', 'u@1700000000000', 'g1,c2', 'c2,u=5'),
  digest: fc.oneof(
    fc.constant(''),
    fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 16, maxLength: 16 }),
  ),
  parts: fc.array(keyPart, { maxLength: 6 }),
});

/** Two key parts are the same input when they are the same type and value (Dates by time, -0 apart from 0). */
function samePart(a: KeyPart, b: KeyPart): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return Object.is(a, b);
}

type Input = typeof fragmentInput extends fc.Arbitrary<infer T> ? T : never;

function sameInput(a: Input, b: Input): boolean {
  const ids = (id: unknown) =>
    JSON.stringify(Array.isArray(id) ? ['array', ...id.map((v) => [typeof v, v])] : [typeof id, id]);
  return (
    a.model === b.model &&
    ids(a.id) === ids(b.id) &&
    a.token === b.token &&
    a.digest === b.digest &&
    a.parts.length === b.parts.length &&
    a.parts.every((part, index) => samePart(part, b.parts[index]))
  );
}

describe('keys', () => {
  it('are always valid memcached keys, whatever the input', () => {
    fc.assert(
      fc.property(fragmentInput, (input) => {
        const keys = [
          fragmentKey('cs', input),
          versionKey('cs', input.model, input.id),
          generationKey('cs', input.model),
        ];
        for (const key of keys) expect(isValidCacheKey(key), key).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('never give two different fragment inputs the same key', () => {
    fc.assert(
      fc.property(fragmentInput, fragmentInput, (a, b) => {
        fc.pre(!sameInput(a, b));
        expect(fragmentKey('cs', a)).not.toBe(fragmentKey('cs', b));
      }),
      { numRuns: 5000 },
    );
  });

  it('quote parts injectively: distinct parts never quote alike, and never contain the separator', () => {
    fc.assert(
      fc.property(keyPart, keyPart, (a, b) => {
        const [qa, qb] = [quoteKeyPart(a), quoteKeyPart(b)];
        expect(qa).not.toContain(':');
        if (!samePart(a, b)) expect(qa).not.toBe(qb);
      }),
      { numRuns: 5000 },
    );
  });

  it('distinguish parts that only differ in where a colon sits', () => {
    const at = (parts: KeyPart[]) => fragmentKey('cs', { model: 'M', id: 1, token: 'c1', digest: '', parts });
    expect(at(['a:', 'b'])).not.toBe(at(['a', ':b']));
    expect(at(['a', 'b'])).not.toBe(at(['a:b']));
  });

  it('distinguish a string from a number, a boolean, null and undefined that print alike', () => {
    const quoted = ['1', 1, 'true', true, 'null', null, 'undefined', undefined, 1n, '1n'].map(quoteKeyPart);
    expect(new Set(quoted).size).toBe(quoted.length);
  });

  it('keep lone surrogates apart from the replacement character', () => {
    expect(quoteKeyPart('\uD800')).not.toBe(quoteKeyPart('\uFFFD'));
    expect(quoteKeyPart('\uD800')).not.toBe(quoteKeyPart('\uDC00'));
  });

  it('give a version key, a generation key and a fragment key of one row three different shapes', () => {
    const version = versionKey('cs', 'Article', 7);
    const generation = generationKey('cs', 'Article');
    const fragment = fragmentKey('cs', { model: 'Article', id: 7, token: 'c1', digest: '', parts: [] });
    expect(version).toBe('cs:Article:=7');
    expect(generation).toBe('cs:Article:*');
    expect(fragment).toBe('cs:Article:=7:c1:');
  });

  it('key a row alike whether its integer primary key is a number, a bigint or a decimal string', () => {
    const key = (id: KeyPart) => versionKey('cs', 'Article', id);
    expect(new Set([key(5), key(5n), key('5')])).toEqual(new Set(['cs:Article:=5']));
    expect(key('05')).not.toBe(key(5));
    expect(key(5.5)).not.toBe(key('5.5'));
    expect(key(2 ** 60)).toBe(key(String(2n ** 60n)));
  });

  it('hash keys over 250 bytes into a short key that differs for each input', () => {
    const long = (suffix: string) =>
      fragmentKey('cs', { model: 'Comment', id: 1, token: 'c1', digest: 'abc', parts: ['x'.repeat(300) + suffix] });
    expect(long('a')).toMatch(/^cs:#[A-Za-z0-9_-]{43}$/);
    expect(long('a')).not.toBe(long('b'));
    expect(long('a')).toBe(long('a'));
  });

  it('keep the ending of a contents counter, a generation and a model counter when hashing them, and only theirs', () => {
    const model = `M${'x'.repeat(260)}`;
    const contents = contentsKey('cs', model, 7);
    const generation = generationKey('cs', model);
    const modelCounter = modelCounterKey('cs', model);
    const row = versionKey('cs', model, 7);
    for (const key of [contents, generation, modelCounter, row]) {
      expect(key).toMatch(/^cs:#[A-Za-z0-9_-]{43}(?::[&*+])?$/);
      expect(isValidCacheKey(key)).toBe(true);
    }
    expect(contents.endsWith(':&') && isContentsKey(contents)).toBe(true);
    expect(isGenerationKey(generation) && isModelCounterKey(modelCounter)).toBe(true);
    expect([row, generation, modelCounter].some(isContentsKey)).toBe(false);
    expect([isContentsKey(row), isGenerationKey(row), isModelCounterKey(row)]).toEqual([false, false, false]);
    // The hash covers the whole key: the row's counter and its contents counter stay apart.
    expect(contents.slice(0, -2)).not.toBe(row);
  });

  it('hash a key of 251 bytes but keep one of 250 bytes as it is', () => {
    const base = fragmentKey('cs', { model: 'M', id: 1, token: 'c1', digest: '', parts: [''] });
    const exactly = (length: number) =>
      fragmentKey('cs', { model: 'M', id: 1, token: 'c1', digest: '', parts: ['y'.repeat(length - base.length)] });
    expect(exactly(250)).toHaveLength(250);
    expect(exactly(250)).not.toContain('#');
    expect(exactly(251)).toContain(':#');
  });

  it('reject parts that are not plain values, naming the value', () => {
    expect(() => quoteKeyPart({ a: 1 } as unknown as KeyPart)).toThrow(/\[cachesweeper\] \[keys\] key part \{"a":1\}/);
    expect(() => quoteKeyPart(Number.NaN)).toThrow(CacheSweeperError);
    expect(() => quoteKeyPart(Number.POSITIVE_INFINITY)).toThrow(/Infinity/);
    expect(() => quoteKeyPart(new Date(Number.NaN))).toThrow(/invalid Date/);
  });

  it('accept a namespace of plain characters and refuse anything else', () => {
    expect(validateNamespace('app-1.v2')).toBe('app-1.v2');
    for (const bad of ['', 'has space', 'a:b', 'x'.repeat(65), 7]) {
      expect(() => validateNamespace(bad)).toThrow(/namespace/);
    }
  });
});
