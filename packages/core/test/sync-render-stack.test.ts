import { describe, expect, it } from 'vitest';
import { createSweeper, FragmentSlot } from '../src';
import { SyncRenderStack } from '../src/page/sync-render-stack';

const sweeper = createSweeper();
const slot = (id: number) =>
  new FragmentSlot(sweeper.plan({ target: { model: 'Comment', id }, ttlSeconds: 60 }), { key: `k${id}`, html: 'x' });

describe('the stack of open synchronous renders', () => {
  it('gives each open render the fragments looked up while it ran, innermost first', () => {
    const stack = new SyncRenderStack();
    const outer = stack.collect(() => {
      stack.noteChild(slot(1));
      const inner = stack.collect(() => stack.noteChild(slot(2)));
      expect(inner.children.map((child) => child.planned.id)).toEqual([2]);
      stack.noteChild(slot(3));
      return 'done';
    });
    expect(outer.value).toBe('done');
    expect(outer.children.map((child) => child.planned.id)).toEqual([1, 3]);
  });

  it('closes a render that throws, and notes nothing outside any render', () => {
    const stack = new SyncRenderStack();
    expect(() =>
      stack.collect(() => {
        throw new Error('template bug');
      }),
    ).toThrow('template bug');
    stack.noteChild(slot(4));
    expect(stack.collect(() => 1).children).toEqual([]);
  });
});
