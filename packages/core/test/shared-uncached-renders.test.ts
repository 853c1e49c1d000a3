import { describe, expect, it } from 'vitest';
import { createSweeper } from '../src';
import { SharedUncachedRenders } from '../src/sharing/shared-uncached-renders';

const sweeper = createSweeper();
const planned = sweeper.plan({ target: { model: 'Comment', id: 1 }, ttlSeconds: 60, parts: ['c'] });

describe('renders shared without the cache', () => {
  it('are offered to pages that began before they started, and forgotten once done', async () => {
    const renders = new SharedUncachedRenders();
    const pageBegan = performance.now();
    let finish: (html: string) => void = () => {};
    const html = new Promise<string>((resolve) => {
      finish = resolve;
    });
    renders.lead(planned, html);
    expect(renders.joinable(planned, pageBegan)).toBe(html);
    expect(renders.joinable(planned, performance.now() + 1)).toBeUndefined();
    finish('<c>');
    await html;
    await Promise.resolve();
    expect(renders.joinable(planned, pageBegan)).toBeUndefined();
  });

  it('are forgotten when they fail, without an unhandled rejection', async () => {
    const renders = new SharedUncachedRenders();
    const failed = Promise.reject(new Error('loader failed'));
    failed.catch(() => {});
    renders.lead(planned, failed);
    await failed.catch(() => {});
    await Promise.resolve();
    expect(renders.joinable(planned, 0)).toBeUndefined();
  });
});
