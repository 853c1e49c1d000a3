import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUILD_DIR, MEASUREMENT_BUILD } from '../build';

/** The checkout this bench runs from. */
const REPOSITORY = join(import.meta.dirname, '../../..');

/** The working tree as it is, uncommitted changes included, instead of a commit. */
export const WORKING_TREE = 'worktree';

/** One code version bundled for an A/B comparison, and how to remove what building it made. */
export interface BuiltVersion {
  /** The revision asked for (`worktree`, or anything `git rev-parse` takes). */
  readonly revision: string;
  /** The bundled `page-state.ts` of that version, to `import()`. */
  readonly entry: string;
  remove(): void;
}

/**
 * Bundles `page-state.ts` against the sources of `revision` as the bench bundles its
 * measurement (`build.ts`: no `keepNames`, no source maps), each workspace package taken
 * from that revision's `packages/<name>/src`: a commit is checked out in a temporary git
 * worktree (removed by `remove`), and this checkout's `page-state.ts` is copied in, so an
 * older commit is measured by the same entry. Dependencies resolve from this checkout's
 * `node_modules`. Throws when git cannot check the revision out or the bundle fails.
 */
export async function buildVersion(revision: string, label: string): Promise<BuiltVersion> {
  const root =
    revision === WORKING_TREE ? REPOSITORY : mkdtempSync(join(tmpdir(), `cachesweeper-ab-checkout-${label}-`));
  const ownCheckout = root !== REPOSITORY;
  if (ownCheckout) {
    try {
      execFileSync('git', ['-C', REPOSITORY, 'worktree', 'add', '--detach', '--force', root, revision], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (error) {
      rmSync(root, { recursive: true, force: true });
      const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
      throw new Error(`[cachesweeper] [bench ab] cannot check out revision "${revision}": ${stderr || error}`);
    }
  }
  const remove = () => {
    if (!ownCheckout) return;
    execFileSync('git', ['-C', REPOSITORY, 'worktree', 'remove', '--force', root], { stdio: 'ignore' });
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const entry = join(root, 'bench/src/ab/page-state.ts');
    if (ownCheckout) {
      mkdirSync(join(root, 'bench/src/ab'), { recursive: true });
      copyFileSync(join(import.meta.dirname, 'page-state.ts'), entry);
    }
    const outfile = join(BUILD_DIR, 'ab', `${label}.mjs`);
    await build({
      ...MEASUREMENT_BUILD,
      entryPoints: [entry],
      outfile,
      alias: workspaceAliases(root),
      nodePaths: dependencyDirectories(),
    });
    return { revision, entry: outfile, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/** `@cachesweeper/<name>` → that version's `packages/<name>` entry (its `exports['.']`). */
function workspaceAliases(root: string): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const name of readdirSync(join(root, 'packages'))) {
    const manifestPath = join(root, 'packages', name, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name?: string; exports?: unknown };
    const exported = (manifest.exports as Record<string, unknown> | undefined)?.['.'];
    if (manifest.name === undefined || typeof exported !== 'string') continue;
    aliases[manifest.name] = join(root, 'packages', name, exported);
  }
  return aliases;
}

/** Where this checkout's dependencies live (pnpm gives each package its own `node_modules`). */
function dependencyDirectories(): string[] {
  const packages = readdirSync(join(REPOSITORY, 'packages')).map((name) => join(REPOSITORY, 'packages', name));
  return [join(REPOSITORY, 'bench'), join(REPOSITORY, 'examples/blog'), ...packages, REPOSITORY]
    .map((directory) => join(directory, 'node_modules'))
    .filter((directory) => existsSync(directory));
}
