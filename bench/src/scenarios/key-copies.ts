import { CacheSweeperError, versionKey } from '@cachesweeper/core';
import { type BlogFixture, seedBlogs, settleFixture } from '../fixtures';
import { interleave, type Measured } from '../harness';
import { cachedArticlePage } from '../page';
import type { BenchScale } from '../scale';

/** Comments on the article page of this comparison. */
export const KEY_COPIES_N = 100;

/** What key copies cost on two memcached servers: each measurement with and without them. */
export interface KeyCopiesResult {
  /** `<what>:copies` and `<what>:one copy` for each of `KEY_COPIES_WORK`. */
  readonly measured: Measured[];
  /** Whether the article page with copies was byte-identical to the one without, at the end. */
  readonly identical: boolean;
}

/** The work compared, in table order. */
export const KEY_COPIES_WORK = ['invalidation', 'full hit', 'counters created'] as const;

/** The name of one measurement. */
export function keyCopiesVariant(what: (typeof KEY_COPIES_WORK)[number], copies: boolean): string {
  return `${what}:${copies ? 'copies' : 'one copy'}`;
}

/**
 * The blog on two memcached servers, with the backend's key copies (every counter also on
 * the other server, a generation on both) and without (`keyCopies: false`), side by side:
 * the invalidation a vote sends after its commit (one comment's counter: one `incr`, or one
 * per copy, in one round), the full-hit page (reads are the same), and the page right after
 * its counters were lost (an eviction, a restart: each is created again with an `add`, and
 * with copies one more on the other server, in the same round).
 */
export async function measureKeyCopies(
  scale: BenchScale,
  dir: string,
  servers: readonly [string, string],
): Promise<KeyCopiesResult> {
  const memcachedAddress = [`a=${servers[0]}`, `b=${servers[1]}`];
  const fixtures = await seedBlogs(
    [true, false].map((keyCopies) => ({
      dir,
      comments: KEY_COPIES_N,
      backend: 'memcached' as const,
      database: 'sqlite' as const,
      memcachedAddress,
      keyCopies,
      label: keyCopies ? 'copies' : 'one-copy',
    })),
  );
  try {
    const contenders = fixtures.map((fixture, index) => ({
      fixture,
      copies: index === 0,
      page: cachedArticlePage(fixture),
    }));
    for (const { fixture, page } of contenders) {
      await page.render();
      await settleFixture(fixture);
    }
    const variants = contenders.flatMap(({ fixture, copies, page }) => {
      let voted = 0;
      const nextComment = () => fixture.commentIds[voted++ % fixture.commentIds.length] as number;
      return [
        {
          name: keyCopiesVariant('invalidation', copies),
          run: () => fixture.blog.sweeper.invalidate({ model: 'Comment', id: nextComment() }),
          teardown: () => settleFixture(fixture),
        },
        {
          name: keyCopiesVariant('full hit', copies),
          // The other two change the page's state: render it once, untimed, so the timed render is a full hit.
          setup: async () => {
            await page.render();
            await settleFixture(fixture);
          },
          run: page.render,
        },
        {
          name: keyCopiesVariant('counters created', copies),
          setup: () => dropCounters(fixture),
          run: page.render,
          teardown: () => settleFixture(fixture),
        },
      ];
    });
    const measured = await interleave(variants, scale.keyCopiesRounds);
    const [withCopies, oneCopy] = await Promise.all(contenders.map(({ page }) => page.render()));
    return { measured, identical: withCopies !== undefined && withCopies.body === oneCopy?.body };
  } finally {
    await Promise.all(fixtures.map((fixture) => fixture.close()));
  }
}

/** Deletes every counter of the page, in every copy (as an eviction or a restart of both servers would). */
async function dropCounters(fixture: BlogFixture): Promise<void> {
  const backend = fixture.blog.sweeper.backend;
  const rows = [
    versionKey(fixture.namespace, 'Article', fixture.articleId),
    ...fixture.commentIds.map((id) => versionKey(fixture.namespace, 'Comment', id)),
  ];
  const keys = rows.flatMap((key) => backend.placement?.copiesOf(key) ?? [key]);
  const deleted = await Promise.all(keys.map((key) => backend.delete(key).catch(() => false)));
  if (!deleted.some(Boolean))
    throw new CacheSweeperError('bench', `no counter of ${fixture.namespace} was found to drop`);
}
