import { describe, expect, it } from 'vitest';
import { createSweeper, memoryBackend } from '../src';
import type { KnownKeys } from '../src/conversations/conversation-context';
import { keyOf } from '../src/conversations/fragment-keys';
import { newPageState } from '../src/page/page-state';

describe('fragment keys', () => {
  const sweeper = createSweeper({ backend: memoryBackend(), namespace: 'fk' });
  const comment = sweeper.plan({ target: { model: 'Comment', id: 7 }, ttlSeconds: 60, parts: ['c'] });
  const counterKey = comment.plan.counterKey as string;
  const generationKey = comment.plan.generationKey as string;
  const pageAt = (counter: string) => {
    const page = newPageState();
    page.tokens.set(generationKey, '5');
    page.tokens.set(counterKey, counter);
    return page;
  };

  it('builds the same key once per page, and gives a later page the same string while the token holds', () => {
    const context = { namespace: 'fk', knownKeys: new WeakMap() as KnownKeys };
    const first = pageAt('41');
    const key = keyOf(comment, first, context);
    expect(key).toMatch(/^fk:Comment:=7:/);
    expect(first.keys.get(comment)).toBe(key);
    const again = keyOf(comment, pageAt('41'), context);
    expect(again).toBe(key);
    // The counter moved: a new key, which the next page of that token reuses in turn.
    const moved = keyOf(comment, pageAt('42'), context);
    expect(moved).not.toBe(key);
    expect(moved).toBe(keyOf(comment, pageAt('42'), { namespace: 'fk' }));
  });

  it('builds a read-ahead guess without keeping it for the page, and no key while a token is missing', () => {
    const context = { namespace: 'fk', knownKeys: new WeakMap() as KnownKeys };
    const page = pageAt('41');
    const guess = keyOf(comment, page, context, '42');
    expect(guess).toBe(keyOf(comment, pageAt('42'), context));
    expect(keyOf(comment, page, context)).not.toBe(guess);
    const unread = newPageState();
    unread.tokens.set(generationKey, '5');
    expect(keyOf(comment, unread, context)).toBeUndefined();
    unread.tokens.set(counterKey, null);
    expect(keyOf(comment, unread, context)).toBeUndefined();
  });
});
