import { CacheSweeperError } from '@cachesweeper/core';
import { type FloorPage, floorArticlePage } from '../baselines/floor';
import { DATABASES, type DatabaseName } from '../databases';
import { seedBlogs } from '../fixtures';
import { interleave, type Measured } from '../harness';
import { cachedArticlePage } from '../page';
import type { BenchScale } from '../scale';

/** The full-hit memcached page against the floor, at one N. */
export interface FloorAtN {
  readonly n: number;
  /**
   * `<database>:page` and `<database>:floor` for each database; `page-render` and
   * `floor-render` (the article already loaded: no SQL, the same on every database).
   */
  readonly measured: Measured[];
  /** Read rounds of a full hit, and the keys in each. */
  readonly keysPerRound: number[];
  /** Bytes of the cached fragment. */
  readonly fragmentBytes: number;
  /** Whether the floor's page is byte-identical to the real one, on every database. */
  readonly identical: boolean;
}

/** The name of a floor measurement on one database. */
export function floorVariant(database: DatabaseName, what: 'page' | 'floor'): string {
  return `${database}:${what}`;
}

/**
 * A full-hit memcached page against the floor, on SQLite and on PostgreSQL: the
 * same article query and the same key rounds over a bare socket, assembled with a
 * template literal. Also without the article query (`-render`), to show the
 * cache's own share.
 */
export async function measureFloor(
  scale: BenchScale,
  n: number,
  dir: string,
  memcachedAddress: string,
): Promise<FloorAtN> {
  const fixtures = await seedBlogs(
    DATABASES.map((database) => ({
      dir,
      comments: n,
      backend: 'memcached',
      database,
      memcachedAddress,
      label: 'floor',
    })),
  );
  const floors: FloorPage[] = [];
  try {
    const contenders = [];
    for (const fixture of fixtures) {
      const page = cachedArticlePage(fixture);
      await page.render();
      await fixture.blog.sweeper.idle();
      const floor = await floorArticlePage(fixture, page, memcachedAddress);
      floors.push(floor);
      contenders.push({ database: fixture.database, fixture, page, floor });
    }
    let identical = true;
    for (const { page, floor } of contenders) identical &&= (await page.render()).html === (await floor.render());
    // Without the article query the page is the same work on every database: measured once, on the first.
    const first = contenders[0] as (typeof contenders)[number];
    const article = await first.fixture.blog.models.Article.findByPk(first.fixture.articleId);
    if (article === null) throw new CacheSweeperError('bench', `the article of ${first.fixture.namespace} is gone`);
    const plain = article.get({ plain: true });
    const measured = await interleave(
      [
        ...contenders.flatMap(({ database, page, floor }) => [
          { name: floorVariant(database, 'page'), run: page.render },
          { name: floorVariant(database, 'floor'), run: floor.render },
        ]),
        { name: 'page-render', run: () => first.page.renderLoaded(article) },
        { name: 'floor-render', run: () => first.floor.renderLoaded(plain) },
      ],
      scale.floorRounds(n),
    );
    // The page fragment is the last key of the last round (the floor reads it from there too).
    const lastRound = first.floor.rounds.at(-1) ?? [];
    const fragment = (await first.fixture.blog.sweeper.backend.getMany(lastRound)).at(-1) ?? '';
    return {
      n,
      measured,
      keysPerRound: first.floor.rounds.map((keys) => keys.length),
      fragmentBytes: Buffer.byteLength(fragment),
      identical,
    };
  } finally {
    for (const floor of floors) floor.close();
    await Promise.all(fixtures.map((fixture) => fixture.close()));
  }
}
