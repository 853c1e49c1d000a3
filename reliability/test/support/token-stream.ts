import { type CacheBackend, createSweeper, generationKey, type Sweeper, versionKey } from '@cachesweeper/core';
import { tappedBackend } from './backends';
import { pick, randomBelow } from './timing';
import { TokenLedger } from './token-ledger';

/** The rows whose counters the stream bumps, creates and loses. */
export const TOKEN_ROWS = 64;
const MODEL = 'Row';
const counterKeys = [
  ...Array.from({ length: TOKEN_ROWS }, (_, row) => versionKey('cs', MODEL, row)),
  generationKey('cs', MODEL),
];

/** A ledger that watches the counters of the stream's rows. */
export function tokenLedger(): TokenLedger {
  const known = new Set(counterKeys);
  return new TokenLedger((key) => known.has(key));
}

/** What a token stream did. */
export interface TokenStreamFigures {
  operations: number;
  flushes: number;
  /** Counters deleted on purpose, as an eviction would. */
  deletions: number;
  /** Sweeper calls that met a failed backend (e.g. during a restart): cache errors, never exceptions. */
  cacheErrors: number;
}

/** Options of `runTokenStream`. */
export interface TokenStreamOptions {
  readonly operations: number;
  readonly concurrency: number;
  /** The backends of the simulated processes, one sweeper each, all on one store. */
  readonly backends: readonly CacheBackend[];
  /** Share of operations that flush the store. */
  readonly flushRate: number;
  /** Called before each operation; the stream waits for the promise it may return (a restart, until the server is back). */
  readonly beforeOperation?: (serial: number) => Promise<void> | undefined;
}

/**
 * Bumps, reads and loses version counters at random from several sweepers at once:
 * invalidations of one row or several (coalesced) and of the whole model, fragment
 * reads that create missing counters, deletions of counters (evictions) and flushes.
 * Every token the backends hand out goes through `ledger`.
 */
export async function runTokenStream(options: TokenStreamOptions, ledger: TokenLedger): Promise<TokenStreamFigures> {
  const figures: TokenStreamFigures = { operations: 0, flushes: 0, deletions: 0, cacheErrors: 0 };
  const tap = ledger.tap();
  const sweepers: Sweeper[] = options.backends.map((backend) =>
    createSweeper({
      backend: tappedBackend(backend, tap),
      models: { [MODEL]: { generation: true } },
      onError: () => {
        figures.cacheErrors += 1;
      },
    }),
  );
  const row = () => ({ model: MODEL, id: randomBelow(TOKEN_ROWS) });
  const operation = async () => {
    const sweeper = pick(sweepers);
    const draw = Math.random();
    if (draw < options.flushRate) {
      figures.flushes += 1;
      await sweeper.backend.flush?.().catch(() => undefined);
    } else if (draw < 0.4) {
      await sweeper.invalidate(row());
    } else if (draw < 0.5) {
      await sweeper.invalidateMany(Array.from({ length: 2 + randomBelow(4) }, row));
    } else if (draw < 0.52) {
      await sweeper.invalidateModel(MODEL);
    } else if (draw < 0.97) {
      await sweeper.fragment(row(), 0, ['fragment', randomBelow(8)], () => `<p>${'x'.repeat(randomBelow(200))}</p>`);
    } else {
      figures.deletions += 1;
      await sweeper.backend.delete(pick(counterKeys)).catch(() => undefined);
    }
  };
  const chain = async () => {
    while (figures.operations < options.operations) {
      figures.operations += 1;
      await options.beforeOperation?.(figures.operations);
      await operation();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, chain));
  await Promise.all(sweepers.map((sweeper) => sweeper.idle()));
  return figures;
}
