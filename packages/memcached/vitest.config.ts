import { defineProject } from 'vitest/config';

// These tests start real servers and sockets while CI runs the reliability suite's
// OS processes beside them on two cores: 5 s (Vitest's default) has run out there on a
// test that takes 80 ms alone. What a test times on purpose it asserts itself.
export default defineProject({
  test: { name: 'memcached', include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
});
