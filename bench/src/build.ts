import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type BuildOptions, build, type Plugin } from 'esbuild';

/** Where the built measurement code goes: inside node_modules (ignored by git and Biome), so the bench's dependencies resolve from it. */
export const BUILD_DIR = join(import.meta.dirname, '../node_modules/.cache/cachesweeper-bench');

/** Packages the bench depends on directly: loaded from node_modules as they are, not bundled. */
const EXTERNAL = [
  'autocannon',
  'express',
  'express-handlebars',
  'handlebars',
  'memcached',
  'sequelize',
  'sqlite3',
  'pg',
  'pg-hstore',
  'esbuild',
];

/** Keeps `import.meta.dirname` meaning each source file's own directory (the blog finds its views by it). */
const sourceDirname: Plugin = {
  name: 'source-dirname',
  setup(context) {
    context.onLoad({ filter: /\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replaceAll(
        'import.meta.dirname',
        JSON.stringify(dirname(args.path)),
      ),
      loader: 'ts',
    }));
  },
};

/** How measured code is bundled: as tsup builds the published packages (see `buildMeasurement`). */
export const MEASUREMENT_BUILD: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  keepNames: false,
  sourcemap: false,
  external: EXTERNAL,
  logLevel: 'warning',
  plugins: [sourceDirname],
  // Bundled CommonJS dependencies (lru-cache is ESM, but others may call require).
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
};

/**
 * Bundles the measurement entry points (`measure.ts`, `http/server.ts`) with the
 * workspace packages, as tsup builds the published packages: no `keepNames`, no
 * source maps. Running the TypeScript source through tsx instead costs the hot
 * paths measurably: esbuild's `keepNames` (which tsx turns on) wraps every
 * closure created at run time in a `__name()` call, and enabled source maps make
 * every `error.stack` (Sequelize reads one per query) expensive. Into `outdir` (a
 * directory under `BUILD_DIR`, so the bench's dependencies resolve from it): a command
 * that may run beside the bench builds into its own.
 */
export async function buildMeasurement(outdir: string = BUILD_DIR): Promise<{ measure: string; server: string }> {
  await build({
    entryPoints: {
      measure: join(import.meta.dirname, 'measure.ts'),
      server: join(import.meta.dirname, 'http/server.ts'),
    },
    ...MEASUREMENT_BUILD,
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: false,
  });
  return { measure: join(outdir, 'measure.mjs'), server: join(outdir, 'server.mjs') };
}
