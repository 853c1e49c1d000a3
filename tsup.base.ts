import { defineConfig } from 'tsup';

/** How every publishable package is built: ESM and CommonJS, with types, for Node 20. */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // The CommonJS build needs `import.meta.url` (core resolves its optional peer @opentelemetry/api from its own place).
  shims: true,
});
