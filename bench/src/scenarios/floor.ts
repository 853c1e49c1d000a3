import { type FloorPage, floorArticlePage } from '../baselines/floor';
import { DATABASES, type DatabaseName } from '../databases';
import { seedBlogs } from '../fixtures';
import { interleave, type Measured } from '../harness';
import { cachedArticlePage } from '../page';
import type { BenchScale } from '../scale';

/** The full-hit memcached page against the floor, at one N. */
export interface FloorAtN {
  readonly n: number;
  /** `<database>:page` and `<database>:floor` for each database (neither runs SQL on a full hit). */
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
 * same key rounds over a bare socket, the fragment held in memory as the page holds
 * its local copy, assembled with a template literal.
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
    for (const { page, floor } of contenders)
      identical &&= Buffer.concat((await page.render()).pieces).equals(Buffer.concat(await floor.render()));
    const measured = await interleave(
      contenders.flatMap(({ database, page, floor }) => [
        { name: floorVariant(database, 'page'), run: page.render },
        { name: floorVariant(database, 'floor'), run: floor.render },
      ]),
      scale.floorRounds(n),
    );
    const first = contenders[0] as (typeof contenders)[number];
    const fragment = first.floor.fragment;
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
