import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uncachedArticlePage } from '../baselines/uncached';
import type { DatabaseName } from '../databases';
import { type BackendName, type BlogFixture, seedBlog, settleFixture } from '../fixtures';
import { cachedArticlePage } from '../page';

/** The article page states an A/B comparison can time. */
export const AB_STATES = ['full', 'vote', 'cold', 'batched'] as const;

/** One of `AB_STATES`: a full hit, the page after one vote, every block missed, or the batched uncached page. */
export type AbState = (typeof AB_STATES)[number];

/** What to measure: the blog's article page with N comments in one state. */
export interface AbStateOptions {
  readonly state: AbState;
  readonly comments: number;
  readonly backend: BackendName;
  readonly database: DatabaseName;
  readonly memcachedAddress: string;
  /** Names the fixture's SQLite file, schema and key namespace: each version has its own. */
  readonly label: string;
}

/** A page in one state: `setup` puts it there (untimed), `render` is timed, `teardown` waits for background work. */
export interface AbPageState {
  /** The seeded blog the page reads (`pnpm profile` watches its cache backend and its SQL). */
  readonly fixture: BlogFixture;
  setup(): Promise<void>;
  render(): Promise<unknown>;
  teardown(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The entry point `pnpm ab` bundles once per code version (see `build-version.ts`): the
 * blog seeded for one version, and its article page in one state, as section 1 of the
 * bench renders it. Kept to the bench's long-standing fixtures, so older versions build too.
 */
export async function openPageState(options: AbStateOptions): Promise<AbPageState> {
  const dir = mkdtempSync(join(tmpdir(), `cachesweeper-ab-${options.label}-`));
  const fixture = await seedBlog({
    dir,
    comments: options.comments,
    backend: options.backend,
    database: options.database,
    memcachedAddress: options.memcachedAddress,
    label: `ab-${options.label}`,
  }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const close = async () => {
    await fixture.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    return await stateOf(fixture, options.state, close);
  } catch (error) {
    await close();
    throw error;
  }
}

async function stateOf(fixture: BlogFixture, state: AbState, close: () => Promise<void>): Promise<AbPageState> {
  const idle = () => settleFixture(fixture);
  if (state === 'batched') {
    const page = uncachedArticlePage(fixture, 'batched');
    return { fixture, setup: async () => {}, render: page.render, teardown: async () => {}, close };
  }
  const page = cachedArticlePage(fixture);
  // Twice: the first rendering stores the page, the second is the first hit (hints, local copies).
  for (let warm = 0; warm < 2; warm++) {
    await page.render();
    await idle();
  }
  let votes = 0;
  const setups: Record<Exclude<AbState, 'batched'>, () => Promise<void>> = {
    full: async () => {},
    vote: async () => {
      const commentId = fixture.commentIds[votes++ % fixture.commentIds.length] as number;
      await fixture.blog.models.Vote.create({ commentId, value: 1 });
      await idle();
    },
    cold: async () => {
      await fixture.blog.sweeper.invalidateMany([
        { model: 'Article', id: fixture.articleId },
        ...fixture.commentIds.map((id) => ({ model: 'Comment', id, articleId: fixture.articleId })),
      ]);
    },
  };
  return { fixture, setup: setups[state], render: page.render, teardown: idle, close };
}
