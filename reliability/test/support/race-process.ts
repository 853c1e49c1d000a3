import { spawn } from 'node:child_process';
import type { SeedSize } from '../../../examples/blog/src/db/seed';
import type { RaceOutcome } from './race-run';

/** A race to run in a child process: the plain-data options of `runRace`, and which cache. */
export interface RaceRequest {
  readonly backend: 'memcached' | 'memory';
  /** Entries of the memory backend's LRU (small: counters get evicted). */
  readonly memoryEntries: number;
  readonly total: number;
  readonly workers: number;
  readonly checkEvery: number;
  readonly seed: SeedSize;
  /** The blog's `WITHIN` switch. Default: the blog's (on). */
  readonly within?: boolean;
}

const CHILD = new URL('./race-child.ts', import.meta.url).pathname;
// `--import tsx` resolves from the working directory: the package's own.
const PACKAGE_DIR = new URL('../..', import.meta.url).pathname;

/** Runs `runRace` in a child Node process (through tsx) and resolves with its outcome. */
export function raceInChildProcess(request: RaceRequest): Promise<RaceOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(request)], {
      cwd: PACKAGE_DIR,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let outcome: RaceOutcome | undefined;
    child.on('message', (message) => {
      outcome = message as RaceOutcome;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (outcome) resolve(outcome);
      else
        reject(
          new Error(
            `the ${request.backend}${request.within === false ? ' (WITHIN=off)' : ''} race process exited with ${signal ?? code} before reporting`,
          ),
        );
    });
  });
}
