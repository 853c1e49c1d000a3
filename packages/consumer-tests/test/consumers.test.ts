import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_POINTS } from './entry-points';
import { installPackedPackages, publishablePackages, runNode, typecheck } from './pack';

const packages = publishablePackages().map(({ name }) => name);
let project = '';

beforeAll(() => {
  // The optional peer of core's telemetry, and the SDK an application would install with it.
  project = installPackedPackages(['@opentelemetry/api@~1.9.0', '@opentelemetry/sdk-trace-base@^2.0.0']);
});

describe('a consumer of the packed packages', () => {
  it('can install every package DESIGN.md names', () => {
    expect([...packages].sort()).toEqual(Object.keys(ENTRY_POINTS).sort());
  });

  it.each(packages)('requires %s from CommonJS and finds every entry point', (name) => {
    const expected = ENTRY_POINTS[name] ?? [];
    const out = runNode(
      project,
      'check.cjs',
      `const m = require(${JSON.stringify(name)});\nconsole.log(JSON.stringify(Object.keys(m)));`,
    );
    expect(JSON.parse(out)).toEqual(expect.arrayContaining([...expected]));
  });

  it.each(packages)('imports %s from ESM and finds every entry point', (name) => {
    const expected = ENTRY_POINTS[name] ?? [];
    const out = runNode(
      project,
      'check.mjs',
      `const m = await import(${JSON.stringify(name)});\nconsole.log(JSON.stringify(Object.keys(m)));`,
    );
    expect(JSON.parse(out)).toEqual(expect.arrayContaining([...expected]));
  });

  it('caches and invalidates a fragment from CommonJS, and shares TARGET_META with ESM', () => {
    const out = runNode(
      project,
      'story.cjs',
      `const { createSweeper, TARGET_META } = require('@cachesweeper/core');
(async () => {
  const sweeper = createSweeper();
  const row = { model: 'Comment', id: 1 };
  const first = await sweeper.fragment(row, 60, ['c'], () => 'v1');
  await sweeper.idle();
  const hit = await sweeper.fragment(row, 60, ['c'], () => 'v2');
  await sweeper.invalidate(row);
  const fresh = await sweeper.fragment(row, 60, ['c'], () => 'v3');
  const esm = await import('@cachesweeper/core');
  console.log([first, hit, fresh, esm.TARGET_META === TARGET_META].join(' '));
})();`,
    );
    expect(out.trim()).toBe('v1 v1 v3 true');
  });

  it.each(['check-telemetry.cjs', 'check-telemetry.mjs'])(
    "records spans in %s through the application's OpenTelemetry provider",
    (file) => {
      const load = file.endsWith('.cjs')
        ? `const { createSweeper } = require('@cachesweeper/core');
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { trace } = require('@opentelemetry/api');`
        : `import { createSweeper } from '@cachesweeper/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { trace } from '@opentelemetry/api';`;
      const out = runNode(
        project,
        file,
        `${load}
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
const sweeper = createSweeper();
sweeper.fragment({ model: 'Comment', id: 1 }, 60, [], () => 'x').then(async () => {
  await sweeper.idle();
  console.log(exporter.getFinishedSpans().map((span) => span.name).sort().join(','));
});`,
      );
      expect(out.trim()).toBe(
        'cachesweeper create version tokens,cachesweeper fragment,cachesweeper get version tokens,cachesweeper store fragments',
      );
    },
  );

  it('publishes types that do not need the optional @opentelemetry/api', () => {
    for (const file of ['index.d.ts', 'index.d.cts']) {
      const types = readFileSync(join(project, 'node_modules/@cachesweeper/core/dist', file), 'utf8');
      expect(types).not.toMatch(/from ['"]@opentelemetry\//);
      expect(types).toContain('interface CacheBackend');
    }
  });

  it('type-checks a TypeScript consumer of every package in both module systems', () => {
    const imports = `import { createSweeper, memoryBackend, type Sweeper, type TargetRef } from '@cachesweeper/core';
import { memcachedBackend } from '@cachesweeper/memcached';
import { redisBackend, type RedisBackendStatus } from '@cachesweeper/redis';
import { installSweeper } from '@cachesweeper/sequelize';
import { type Loader, registerCacheSweeper, renderCached } from '@cachesweeper/handlebars';
import Handlebars from 'handlebars';
import { Sequelize } from 'sequelize';`;
    const source = `${imports}
const sweeper: Sweeper = createSweeper({ backend: memoryBackend({ maxEntries: 10 }) });
const html: Promise<string> = sweeper.fragment({ model: 'Article', id: 1 }, 60, ['page'], () => 'x');
// @ts-expect-error the TTL is a number of seconds
sweeper.fragment({ model: 'Article', id: 1 }, '60', [], () => 'x');
const clustered = createSweeper({ backend: memcachedBackend({ servers: ['127.0.0.1:11211', '127.0.0.1:11212'] }) });
const onRedis = redisBackend({ url: 'redis://127.0.0.1:6379', timeoutMs: 50 });
const status: RedisBackendStatus = onRedis.status();
// @ts-expect-error the deadline is a number of ms
redisBackend({ nodes: ['127.0.0.1:7000', '127.0.0.1:7001'], timeoutMs: '50' });
const installation = installSweeper(new Sequelize('sqlite::memory:'), { Article: { using: 'updatedAt' } });
const sameSweeper: Sweeper = installation.sweeper;
const handlebars = Handlebars.create();
const articlePage: Loader<TargetRef, { title: string }, { lang: string }> = async (target, context) => ({ title: \`\${String(target.id)} \${context.lang}\` });
registerCacheSweeper(handlebars, sweeper, { loaders: { articlePage } });
const menu: Promise<string> = createSweeper({ models: { Category: { generation: true } }, caching: false }).fragment({ model: 'Category' }, 60, [], () => 'menu');
const page: Promise<string> = renderCached(handlebars.compile('{{#cachesweeper row 60}}x{{/cachesweeper}}'), { row: { model: 'A', id: 1 } });
void [html, clustered, sameSweeper, page, status, menu];
`;
    typecheck(project, { 'consumer.mts': source, 'consumer.cts': source });
  });
});
