import { floorArticlePage } from '../baselines/floor';
import { seedBlog } from '../fixtures';
import { interleave, type Measured } from '../harness';
import { cachedArticlePage } from '../page';
import type { BenchScale } from '../scale';

/** The full-hit memcached page against the floor, at one N. */
export interface FloorAtN {
  readonly n: number;
  /** `page`, `floor`, `page-render` (article already loaded), `floor-render`. */
  readonly measured: Measured[];
  /** Read rounds of a full hit, and the keys in each. */
  readonly keysPerRound: number[];
  /** Bytes of the cached fragment. */
  readonly fragmentBytes: number;
  /** Whether the floor's page is byte-identical to the real one. */
  readonly identical: boolean;
}

/**
 * A full-hit memcached page against the floor: the same article query and the
 * same key rounds over a bare socket, assembled with a template literal. Also
 * without the article query (`-render`), to show the cache's own share.
 */
export async function measureFloor(
  scale: BenchScale,
  n: number,
  dir: string,
  memcachedAddress: string,
): Promise<FloorAtN> {
  const fixture = await seedBlog({ dir, comments: n, backend: 'memcached', memcachedAddress, label: 'floor' });
  const page = cachedArticlePage(fixture);
  try {
    await page.render();
    await fixture.blog.sweeper.idle();
    const floor = await floorArticlePage(fixture, page, memcachedAddress);
    try {
      const real = await page.render();
      const bare = await floor.render();
      const article = await fixture.blog.models.Article.findByPk(fixture.articleId);
      if (article === null) throw new Error('[cachesweeper] [bench] the article is gone');
      const plain = article.get({ plain: true });
      const measured = await interleave(
        [
          { name: 'page', run: page.render },
          { name: 'floor', run: floor.render },
          { name: 'page-render', run: () => page.renderLoaded(article) },
          { name: 'floor-render', run: () => floor.renderLoaded(plain) },
        ],
        scale.floorRounds(n),
      );
      // The page fragment is the last key of the last round (the floor reads it from there too).
      const fragment = (await fixture.blog.sweeper.backend.getMany(floor.rounds.at(-1) ?? [])).at(-1) ?? '';
      return {
        n,
        measured,
        keysPerRound: floor.rounds.map((keys) => keys.length),
        fragmentBytes: Buffer.byteLength(fragment),
        identical: real.html === bare,
      };
    } finally {
      floor.close();
    }
  } finally {
    await fixture.blog.close();
  }
}
