import { expect, it } from 'vitest';
import { createSweeper } from '../src';

it('caches a fragment until its row is invalidated', async () => {
  const sweeper = createSweeper();
  const target = { model: 'Comment', id: 1 };
  let renders = 0;
  const render = () => `v${++renders}`;
  expect(await sweeper.fragment(target, 60, ['c'], render)).toBe('v1');
  await sweeper.idle();
  expect(await sweeper.fragment(target, 60, ['c'], render)).toBe('v1');
  await sweeper.invalidate(target);
  expect(await sweeper.fragment(target, 60, ['c'], render)).toBe('v2');
  expect(sweeper.stats()).toMatchObject({ hits: 1, misses: 2, renders: 2, invalidations: 1 });
});
