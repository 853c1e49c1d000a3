import { type CacheBackend, memoryBackend } from '@cachesweeper/core';
import { type MemcachedBackend, memcachedBackend } from '@cachesweeper/memcached';
import { startMemcached } from '@cachesweeper/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { printFigures, scaled, secondsSince } from './support/scale';
import { waitUntil } from './support/timing';
import type { TokenLedger } from './support/token-ledger';
import { runTokenStream, TOKEN_ROWS, type TokenStreamFigures, tokenLedger } from './support/token-stream';

const MEMORY_OPERATIONS = scaled(90_000, 900_000);
const MEMCACHED_OPERATIONS = scaled(10_000, 100_000);
const RESTARTS = scaled(2, 5);

describe('version tokens under flushes, evictions and memcached restarts', () => {
  let ledger: TokenLedger;
  let memory: TokenStreamFigures;
  let memcached: TokenStreamFigures;
  let restarts = 0;

  beforeAll(async () => {
    const started = performance.now();
    ledger = tokenLedger();
    // An LRU of 256 entries holds the 65 counters and up to 512 fragments: counters get evicted all the time.
    memory = await runTokenStream(
      {
        operations: MEMORY_OPERATIONS,
        concurrency: 32,
        backends: [memoryBackend({ maxEntries: 256 })],
        flushRate: 0.001,
      },
      ledger,
    );

    const server = await startMemcached();
    // Two processes' backends on one server; a restart empties it, and each backend flushes it when it rejoins.
    const backends: MemcachedBackend[] = [0, 1].map(() =>
      memcachedBackend({ servers: [server.address], retryMs: 100 }),
    );
    const restartEvery = Math.floor(MEMCACHED_OPERATIONS / (RESTARTS + 1));
    // The operations in flight when the server dies fail; the stream then waits until both backends flushed it and use it again.
    let restarting: Promise<void> | undefined;
    const restart = async () => {
      await server.restart();
      await waitUntil('both backends to see the server up', () =>
        backends.every((backend) => backend.servers().every((status) => status.state === 'up')),
      );
      restarting = undefined;
    };
    try {
      memcached = await runTokenStream(
        {
          operations: MEMCACHED_OPERATIONS,
          concurrency: 16,
          backends,
          flushRate: 0.0005,
          beforeOperation: (serial) => {
            if (serial % restartEvery === 0 && restarts < RESTARTS) {
              restarts += 1;
              restarting = restart();
            }
            return restarting;
          },
        },
        ledger,
      );
    } finally {
      await Promise.all(backends.map((backend) => backend.close()));
      await server.stop();
    }

    printFigures(
      'tokens',
      `${memory.operations + memcached.operations} ops (memory: ${memory.operations} with ${memory.flushes} flushes, ` +
        `${memory.deletions} counter deletions and an LRU of 256 entries; memcached: ${memcached.operations} with ` +
        `${restarts} restarts, ${memcached.flushes} flushes, ${memcached.deletions} counter deletions, ${memcached.cacheErrors} cache errors), ` +
        `${ledger.issued} tokens issued to ${ledger.counters} counters (${TOKEN_ROWS} rows + a generation), ` +
        `${ledger.repeated.length} repeated, highest 2^${Math.log2(ledger.highest).toFixed(4)} (< 2^53: ${ledger.outOfRange.length === 0}), ` +
        `${ledger.unknownReads().length} unknown counters read (${ledger.landedLate()} more written by calls that missed their deadline and landed anyway), ${secondsSince(started)}`,
    );
  });

  it('never issues a version token twice for one counter', () => {
    expect(ledger.repeated).toEqual([]);
  });

  it('keeps every counter an exact integer below 2^53', () => {
    expect(ledger.outOfRange).toEqual([]);
  });

  it('never reads a counter value it did not issue', () => {
    expect(ledger.unknownReads()).toEqual([]);
  });

  it('restarted memcached as planned', () => {
    expect(restarts).toBe(RESTARTS);
  });
});

/** django-cache-sweeper's counters: a counter that was evicted starts again at the same value. */
function startingAtOne(backend: CacheBackend): CacheBackend {
  return { ...backend, add: (key, _value, ttlSeconds) => backend.add(key, '1', ttlSeconds) };
}

describe('the control: counters that start again at 1 after an eviction (django-cache-sweeper)', () => {
  it('is caught issuing tokens twice', async () => {
    const ledger = tokenLedger();
    await runTokenStream(
      {
        operations: 5_000,
        concurrency: 8,
        backends: [startingAtOne(memoryBackend({ maxEntries: 256 }))],
        flushRate: 0.001,
      },
      ledger,
    );
    expect(ledger.repeated.length).toBeGreaterThan(0);
  });
});
