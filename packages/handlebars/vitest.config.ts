import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'handlebars', include: ['test/**/*.test.ts'] },
});
