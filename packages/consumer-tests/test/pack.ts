import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../..');

/** The publishable packages of the workspace: not private, under packages/. */
export function publishablePackages(): { name: string; dir: string }[] {
  const dir = join(root, 'packages');
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .map((path) => ({ path, manifest: JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private)
    .map(({ path, manifest }) => ({ name: manifest.name as string, dir: path }));
}

/**
 * Packs every publishable package — its `prepack` script builds it, so dist/ is gone
 * first to prove that — (pnpm pack applies publishConfig, so the tarball points at
 * dist/ as a published package would), then installs the tarballs with npm into a
 * fresh project outside the workspace, with `extra` packages from the registry (the
 * optional peers a test needs). Returns that project's path.
 */
export function installPackedPackages(extra: readonly string[] = []): string {
  const work = mkdtempSync(join(tmpdir(), 'cachesweeper-consumer-'));
  const tarballs = join(work, 'tarballs');
  const project = join(work, 'project');
  execFileSync('mkdir', ['-p', tarballs, project]);
  const packages = publishablePackages();
  for (const { dir } of packages) {
    rmSync(join(dir, 'dist'), { recursive: true, force: true });
    execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: dir, stdio: 'pipe' });
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
  const files = readdirSync(tarballs).map((file) => join(tarballs, file));
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...files, ...extra],
    {
      cwd: project,
      stdio: 'pipe',
    },
  );
  return project;
}

/** Runs a script with node in the consumer project and returns its stdout. */
export function runNode(project: string, file: string, source: string): string {
  writeFileSync(join(project, file), source);
  return execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8' });
}

/** Type-checks files of the consumer project as a user's tsc would (node16 resolution, .mts and .cts). */
export function typecheck(project: string, files: Record<string, string>): void {
  for (const [file, source] of Object.entries(files)) writeFileSync(join(project, file), source);
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const args = ['--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022'];
  // The consumer project has no @types/node of its own; lend it the workspace's.
  args.push('--typeRoots', join(root, 'node_modules/@types'), '--types', 'node', ...Object.keys(files));
  try {
    execFileSync(process.execPath, [tsc, ...args], { cwd: project, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`tsc found errors in the consumer project:\n${stdout}${stderr}`);
  }
}
