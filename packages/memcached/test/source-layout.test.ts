import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SOURCE = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const FILES = readdirSync(SOURCE).filter((file) => file.endsWith('.ts'));

/** The files of `src/` each file imports, type-only imports and re-exports included. */
function localImports(file: string): string[] {
  const text = readFileSync(join(SOURCE, file), 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^;]*?from\s+'\.\/([^']+)'/gs)].map((match) => `${match[1]}.ts`);
}

describe('the source of the package', () => {
  it('has no import cycle, type-only imports included', () => {
    const cycles: string[] = [];
    const visiting: string[] = [];
    const done = new Set<string>();
    const visit = (file: string) => {
      visiting.push(file);
      for (const next of localImports(file)) {
        if (visiting.includes(next)) cycles.push([...visiting.slice(visiting.indexOf(next)), next].join(' -> '));
        else if (!done.has(next)) visit(next);
      }
      visiting.pop();
      done.add(file);
    };
    for (const file of FILES) if (!done.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('keeps its shared types in files that import nothing of the package', () => {
    expect(localImports('public-types.ts')).toEqual([]);
    expect(localImports('call-contract.ts')).toEqual([]);
  });

  it('has no file over 300 lines', () => {
    const long = FILES.map((file) => `${file}: ${readFileSync(join(SOURCE, file), 'utf8').split('\n').length - 1}`);
    expect(long.filter((entry) => Number(entry.split(': ')[1]) > 300)).toEqual([]);
  });

  it('lists every file of src/ in the README table of where things live', () => {
    const readme = readFileSync(join(SOURCE, '../README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Where things live'), readme.indexOf('## Tests'));
    const listed = [...table.matchAll(/^\| `([^`]+\.ts)` \|/gm)].map((match) => match[1]);
    expect(listed.sort()).toEqual([...FILES].sort());
  });
});
