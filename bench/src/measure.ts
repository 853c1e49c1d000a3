import { join } from 'node:path';
import { runBench } from './run';
import { FULL_SCALE, SMOKE_SCALE } from './scale';

// The measuring process `pnpm bench` starts (built by build.ts): runs every scenario
// and writes RESULTS.md and page-time.svg (the parent prints RESULTS.md). Arguments: --scale=full|smoke, --out=<dir>,
// --server=<built server entry>, --runtime=<description>, --results=<json file>.
const argument = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);

process.setSourceMapsEnabled(false);
const scale = argument('scale') === 'smoke' ? SMOKE_SCALE : FULL_SCALE;
const output = await runBench({
  scale,
  outDir: argument('out') ?? join(import.meta.dirname, '..'),
  server: { command: process.execPath, args: [argument('server') as string] },
  runtime: argument('runtime') ?? 'unknown',
  resultsPath: argument('results'),
});
process.stderr.write(`wrote ${output.markdownPath} and ${output.svgPath}\n`);
// The npm memcached client (django-cache-sweeper's baseline) keeps timers alive after end().
process.exit(0);
