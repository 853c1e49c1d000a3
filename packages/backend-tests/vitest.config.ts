import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'backend-tests', include: ['test/**/*.test.ts'] },
});
