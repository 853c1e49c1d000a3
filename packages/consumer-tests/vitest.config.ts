import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'consumer-tests', include: ['test/**/*.test.ts'], testTimeout: 240_000, hookTimeout: 300_000 },
});
