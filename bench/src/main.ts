import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_DIR, buildMeasurement } from './build';
import type { BenchResults } from './results';
import { writeReports } from './run';

// `pnpm bench`: bundles the measurement code as the packages are published (see
// build.ts), then runs it in one Node process, which starts memcached, measures
// every scenario side by side and writes bench/RESULTS.md and bench/page-time.svg.
// `pnpm bench --smoke` runs every scenario at a tiny scale (figures not worth quoting,
// written beside the build, not over bench/RESULTS.md); `pnpm bench --report` rewrites
// RESULTS.md and the chart from the last full run's figures.

const smoke = process.argv.includes('--smoke');
const outDir = smoke ? join(BUILD_DIR, 'smoke') : join(import.meta.dirname, '..');
const resultsPath = join(BUILD_DIR, smoke ? 'smoke-results.json' : 'results.json');
if (process.argv.includes('--report')) {
  writeReports(JSON.parse(readFileSync(resultsPath, 'utf8')) as BenchResults, outDir);
  process.exit(0);
}
const built = await buildMeasurement();
mkdirSync(outDir, { recursive: true });
const child = spawn(
  process.execPath,
  [
    built.measure,
    `--scale=${smoke ? 'smoke' : 'full'}`,
    `--out=${outDir}`,
    `--server=${built.server}`,
    `--results=${resultsPath}`,
    `--runtime=bundled with esbuild as tsup builds the packages (no keepNames), source maps off, ${process.version}`,
  ],
  { stdio: 'inherit' },
);
const code: number = await new Promise((resolve) => child.once('exit', (exitCode) => resolve(exitCode ?? 1)));
if (code === 0) console.log(readFileSync(join(outDir, 'RESULTS.md'), 'utf8'));
process.exitCode = code;
