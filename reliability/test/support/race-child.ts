/**
 * A race in a process of its own, so the suite's two races (memcached and memory) use
 * both cores. Started by `raceInChildProcess` with a JSON request as its argument;
 * sends its outcome over IPC and exits. It exits too if its parent goes away.
 */

import type { RaceRequest } from './race-process';
import { runRace, sharedMemory, twoMemcached } from './race-run';

process.on('disconnect', () => process.exit(1));
const request = JSON.parse(process.argv[2] ?? '{}') as RaceRequest;
const cache = request.backend === 'memcached' ? await twoMemcached() : sharedMemory(request.memoryEntries);
const outcome = await runRace({ ...request, cache });
process.send?.(outcome, () => process.exit(0));
