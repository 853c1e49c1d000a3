import { describe, expect, it } from 'vitest';
import {
  CacheSweeperError,
  createSession,
  createSweeper,
  type NestedToken,
  type Sweeper,
  type SweeperSession,
} from '../src';

const NESTED_KEY = 'cs:Comment:=1';

function sessionHolding(token: string) {
  const session = createSession();
  session.tokens.set(NESTED_KEY, token);
  return session;
}

/** A miss of key `k` (60 s), rendered by `render`, whose rendering nests what `nestedOf` names. */
function miss(
  sweeper: Sweeper,
  render: () => Promise<string>,
  session: SweeperSession,
  nestedOf: () => readonly NestedToken[] | null,
) {
  return sweeper.renderMiss('k', 60, render, session, nestedOf);
}

function deferred() {
  let resolve: (html: string) => void = () => {};
  const promise = new Promise<string>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/*
 * A fragment's key holds its own tokens, not those of the fragments nested in it, so
 * a page may share another page's rendering of it only when both read the same
 * tokens for those: otherwise it would be served older nested content than it has
 * already seen committed.
 */
describe('shared renderings of a fragment with nested fragments', () => {
  const nested: NestedToken[] = [[NESTED_KEY, '7']];

  it('a page that read the same nested tokens shares the running rendering', async () => {
    const sweeper = createSweeper();
    const render = deferred();
    const leader = miss(
      sweeper,
      () => render.promise,
      sessionHolding('7'),
      () => nested,
    );
    let renders = 0;
    const joiner = miss(
      sweeper,
      async () => {
        renders++;
        return 'never';
      },
      sessionHolding('7'),
      () => nested,
    );
    render.resolve('<page>');
    expect(await leader).toBe('<page>');
    expect(await joiner).toBe('<page>');
    expect(renders).toBe(0);
  });

  it('a page that read a newer nested token is refused the running rendering (it renders its own)', async () => {
    const sweeper = createSweeper();
    const render = deferred();
    const leader = miss(
      sweeper,
      () => render.promise,
      sessionHolding('7'),
      () => nested,
    );
    const joiner = miss(
      sweeper,
      async () => 'own',
      sessionHolding('8'),
      () => [[NESTED_KEY, '8']],
    );
    render.resolve('<old page>');
    expect(await leader).toBe('<old page>');
    await expect(joiner).rejects.toThrow(CacheSweeperError);
    await expect(joiner).rejects.toThrow(/nests older fragments than this page has read/);
  });

  it('a finished rendering is shared with pages that began before its write landed, if their nested tokens match', async () => {
    const sweeper = createSweeper();
    const early = sessionHolding('7');
    const earlyNewer = sessionHolding('8');
    expect(
      await miss(
        sweeper,
        async () => '<page 7>',
        sessionHolding('7'),
        () => nested,
      ),
    ).toBe('<page 7>');
    await sweeper.idle();
    let renders = 0;
    const own = async (html: string) => {
      renders++;
      return html;
    };
    // Began before the write landed: its lookup may have read the cache just before it.
    expect(
      await miss(
        sweeper,
        () => own('again'),
        early,
        () => nested,
      ),
    ).toBe('<page 7>');
    expect(renders).toBe(0);
    // Began before too, but has read a newer nested token: renders its own.
    expect(
      await miss(
        sweeper,
        () => own('<page 8>'),
        earlyNewer,
        () => [[NESTED_KEY, '8']],
      ),
    ).toBe('<page 8>');
    expect(renders).toBe(1);
  });

  it('a page that began after the write landed and still missed renders (the entry was evicted or deleted)', async () => {
    const sweeper = createSweeper();
    await miss(
      sweeper,
      async () => '<page>',
      sessionHolding('7'),
      () => nested,
    );
    await sweeper.idle();
    expect(
      await miss(
        sweeper,
        async () => '<rendered again>',
        sessionHolding('7'),
        () => nested,
      ),
    ).toBe('<rendered again>');
  });

  it('a page missing a nested token reads it before deciding', async () => {
    const sweeper = createSweeper();
    await sweeper.backend.set(NESTED_KEY, '7', 0);
    const render = deferred();
    const leader = miss(
      sweeper,
      () => render.promise,
      sessionHolding('7'),
      () => nested,
    );
    const joiner = miss(
      sweeper,
      async () => 'own',
      createSession(),
      () => nested,
    );
    render.resolve('<page>');
    await leader;
    expect(await joiner).toBe('<page>');
  });
});
