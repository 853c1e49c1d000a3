import { type CacheSweeperError, createSweeper, type Sweeper } from '@cachesweeper/core';
import { type MemcachedBackend, memcachedBackend, type ServerChange } from '@cachesweeper/memcached';
import { type MemcachedProcess, memcachedStats, seededRandom, startMemcached } from '@cachesweeper/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyHostileFigures, type HostileFigures, hostileCase, runHostileBatch } from './support/hostile-run';
import { printFigures, scaled, secondsSince } from './support/scale';

const CASES = scaled(10_000, 100_000);
const SEED = Number(process.env.RELIABILITY_SEED ?? 20_261_125);
const CANARIES = 100;
const BATCH = 16;
const canaryKey = (index: number) => `canary:${index}`;
const canaryValue = (index: number) => `canary ${index} \u2713 <b>untouched</b>`;

describe('hostile key parts and values through the sweeper into a real memcached', () => {
  let server: MemcachedProcess;
  let backend: MemcachedBackend;
  let sweeper: Sweeper;
  const figures: HostileFigures = emptyHostileFigures();
  const sweeperErrors: CacheSweeperError[] = [];
  const serverChanges: ServerChange[] = [];
  let canariesChanged: string[] = [];
  let flushesSeen = Number.NaN;

  beforeAll(async () => {
    const started = performance.now();
    server = await startMemcached({ memoryMb: 1024 });
    // Deadlines far above any honest answer: this test is about the protocol, so any error it sees is one.
    backend = memcachedBackend({
      servers: [server.address],
      timeoutMs: 5_000,
      graceMs: 10_000,
      onServerChange: (change) => serverChanges.push(change),
    });
    // Every value must make the trip through memcached, and a case reuses the key of an earlier one whose
    // fragment it deleted (with another value: a render the key does not cover): no local copies.
    sweeper = createSweeper({
      backend,
      timeoutMs: 10_000,
      localCopies: false,
      onError: (error) => sweeperErrors.push(error),
    });
    for (let index = 0; index < CANARIES; index++) await backend.set(canaryKey(index), canaryValue(index), 0);
    const flushesBefore = Number((await memcachedStats(server.address)).cmd_flush);

    const random = seededRandom(SEED);
    const target = { sweeper, backend, seen: new Map<string, string>(), figures };
    while (figures.cases < CASES) {
      const cases = Array.from({ length: Math.min(BATCH, CASES - figures.cases) }, () => hostileCase(random));
      await runHostileBatch(cases, target);
    }

    const canaries = await backend.getMany(Array.from({ length: CANARIES }, (_, index) => canaryKey(index)));
    canariesChanged = canaries.flatMap((value, index) => (value === canaryValue(index) ? [] : [canaryKey(index)]));
    flushesSeen = Number((await memcachedStats(server.address)).cmd_flush) - flushesBefore;
    const fragments = figures.cases - figures.refused;
    printFigures(
      'hostile input',
      `${figures.cases} cases (seed ${SEED}): ${fragments} fragments through the sweeper ` +
        `(${figures.roundTripped} round-tripped byte-exact, ${figures.notCachedAsExpected} cleanly not cached: too large or ill-formed, ` +
        `${figures.lost.length} lost, ${figures.cachedBeyond.length} cached beyond the limit, ${figures.corrupted.length} corrupted), ${figures.refused} refused at once as bad input; ` +
        `${figures.keysChecked} keys (${figures.hashedKeys} hashed, ${figures.boundaryKeys} of 249–260 bytes before hashing), ` +
        `${figures.keyCollisions.length} shared by different inputs, ${figures.invalidKeys.length} invalid; ` +
        `raw keys: ${figures.rawKeysValid} valid, ${figures.rawKeysRefused} refused before the server; ` +
        `${figures.protocolErrors.length + sweeperErrors.length} protocol errors, ` +
        `${serverChanges.filter((change) => change.state === 'down').length} servers marked down, ` +
        `${CANARIES - canariesChanged.length}/${CANARIES} canaries untouched, ${flushesSeen} flush_all reached the server, ${secondsSince(started)}`,
    );
  });
  afterAll(async () => {
    await sweeper?.close();
    await server?.stop();
  });

  it('serves every cached value byte-exact', () => {
    expect(figures.corrupted).toEqual([]);
  });

  it('caches every value within the backend maxValueBytes, and no other (cleanly not cached: too large or ill-formed)', () => {
    expect({ lost: figures.lost, cachedBeyond: figures.cachedBeyond }).toEqual({ lost: [], cachedBeyond: [] });
  });

  it('builds a valid memcached key for every input, and never one key for two inputs', () => {
    expect({ collisions: figures.keyCollisions, invalid: figures.invalidKeys }).toEqual({
      collisions: [],
      invalid: [],
    });
  });

  it('refuses bad targets, key parts and raw keys at once with a CacheSweeperError', () => {
    expect(figures.badErrors).toEqual([]);
  });

  it('meets no protocol error', () => {
    expect([...figures.protocolErrors, ...sweeperErrors.map((error) => error.message)]).toEqual([]);
  });

  it('marks no server down', () => {
    expect({ changes: serverChanges, failures: backend.servers().map((status) => status.failures) }).toEqual({
      changes: [],
      failures: [0],
    });
  });

  it('leaves the canary keys untouched and lets no flush_all through', () => {
    expect({ canariesChanged, flushesSeen }).toEqual({ canariesChanged: [], flushesSeen: 0 });
  });
});
