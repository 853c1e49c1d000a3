import { defineProject } from 'vitest/config';

// The suite drives real memcached processes, SQLite and many concurrent workers on a
// small machine: its files run one at a time, after every other project has finished.
export default defineProject({
  test: {
    name: 'reliability',
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    sequence: { groupOrder: 1 },
    // The work (and its assertions' data) happens in beforeAll hooks, which may run for minutes at full scale.
    testTimeout: 30 * 60_000,
    hookTimeout: 30 * 60_000,
  },
});
