import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'architecture-tests', include: ['test/**/*.test.ts'] },
});
