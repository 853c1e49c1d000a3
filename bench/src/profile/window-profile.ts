import type { Profiler } from 'node:inspector';

/** A span of time in the profile's clock (µs of the monotonic clock `process.hrtime` reads too). */
export type TimeWindow = readonly [start: number, end: number];

/** Now, in the clock V8 stamps its profile samples with: µs of the monotonic clock. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The samples of a CPU profile that fall inside some windows, as call stacks. */
export interface WindowedProfile {
  /** Samples inside the windows. */
  readonly samples: number;
  /** Per function (`name file:line`), the share of those samples it was running itself. */
  readonly self: ReadonlyMap<string, number>;
  /** The top-down call tree of those samples. */
  readonly tree: CallTreeNode;
}

/** A frame of the top-down call tree and the samples under it. */
export interface CallTreeNode {
  readonly frame: string;
  samples: number;
  readonly children: Map<string, CallTreeNode>;
}

/** A frame's name: its function and the last segment of its script (`render page.mjs:120`). */
export function frameName(callFrame: Profiler.ProfileNode['callFrame']): string {
  const file = callFrame.url.slice(callFrame.url.lastIndexOf('/') + 1);
  return `${callFrame.functionName || '(anonymous)'} ${file}:${callFrame.lineNumber + 1}`;
}

/**
 * Keeps the samples of `profile` taken inside `windows` (sorted, not overlapping): the
 * render of one page state, not its setup or the background writes after it. A V8
 * profile stamps its samples with the monotonic clock in µs, the clock
 * `monotonicMicros` reads, so windows taken with it line up.
 */
export function windowProfile(profile: Profiler.Profile, windows: readonly TimeWindow[]): WindowedProfile {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const stackOf = (id: number): string[] => {
    const stack: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const node = nodes.get(at);
      if (node !== undefined) stack.push(frameName(node.callFrame));
    }
    return stack.reverse();
  };
  const tree: CallTreeNode = { frame: '(all)', samples: 0, children: new Map() };
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let time = profile.startTime;
  let window = 0;
  for (let index = 0; index < samples.length; index++) {
    time += deltas[index] ?? 0;
    while (window < windows.length && (windows[window] as TimeWindow)[1] < time) window++;
    if (window >= windows.length) break;
    if (time < (windows[window] as TimeWindow)[0]) continue;
    const stack = stackOf(samples[index] as number);
    const leaf = stack[stack.length - 1] ?? '(unknown)';
    self.set(leaf, (self.get(leaf) ?? 0) + 1);
    let at = tree;
    at.samples++;
    for (const frame of stack) {
      let child = at.children.get(frame);
      if (child === undefined) {
        child = { frame, samples: 0, children: new Map() };
        at.children.set(frame, child);
      }
      child.samples++;
      at = child;
    }
  }
  return { samples: tree.samples, self, tree };
}

/** The `count` functions that ran most themselves, with their share of the samples. */
export function topSelf(profile: WindowedProfile, count: number): string[] {
  return [...profile.self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([frame, samples]) => `${percent(samples, profile.samples)} ${frame}`);
}

/**
 * The call tree as indented lines, each with its share of the samples, leaving out
 * frames under `least` (a share, 0..1). A chain of frames with one child each is one
 * line (`a > b > c`): async code nests deep.
 */
export function callTreeLines(profile: WindowedProfile, least: number): string[] {
  const lines: string[] = [];
  const walk = (node: CallTreeNode, depth: number, name: string) => {
    if (profile.samples === 0 || node.samples / profile.samples < least) return;
    const children = [...node.children.values()].sort((a, b) => b.samples - a.samples);
    const only = children[0];
    if (depth > 0 && children.length === 1 && only !== undefined && only.samples === node.samples) {
      walk(only, depth, `${name} > ${only.frame}`);
      return;
    }
    lines.push(`${'  '.repeat(depth)}${percent(node.samples, profile.samples)} ${name}`);
    for (const child of children) walk(child, depth + 1, child.frame);
  };
  walk(profile.tree, 0, profile.tree.frame);
  return lines;
}

function percent(part: number, whole: number): string {
  return `${((100 * part) / whole).toFixed(1).padStart(5)}%`;
}

/**
 * Which source file a frame of `bundle` (an esbuild bundle's text, whose `// path`
 * comments open each file's code) came from: `../packages/core/src/keys.ts` for a line of
 * the bundle, the script's own name for any other frame.
 */
export function sourceFiles(bundleName: string, bundle: string): (frame: string) => string {
  const starts: [line: number, path: string][] = [];
  bundle.split('\n').forEach((text, index) => {
    const path = /^\/\/ (\.\.\/\S+)$/.exec(text)?.[1];
    if (path !== undefined) starts.push([index + 1, path]);
  });
  return (frame) => {
    const [, script, lineText] = /([^ ]*):(\d+)$/.exec(frame) ?? [];
    if (script !== bundleName || lineText === undefined) return script || frame;
    const line = Number(lineText);
    let found = bundleName;
    for (const [start, path] of starts) {
      if (start > line) break;
      found = path;
    }
    return found;
  };
}

/** The `count` source files whose functions ran most themselves (`fileOf` names a frame's file). */
export function topSelfFiles(profile: WindowedProfile, fileOf: (frame: string) => string, count: number): string[] {
  const byFile = new Map<string, number>();
  for (const [frame, samples] of profile.self) {
    const file = fileOf(frame);
    byFile.set(file, (byFile.get(file) ?? 0) + samples);
  }
  return [...byFile]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([file, samples]) => `${percent(samples, profile.samples)} ${file}`);
}

/** The report both profiling commands print: the 30 functions that ran most themselves, by file where `fileOf` is given, then the call tree down to `least`. */
export function profileReport(profile: WindowedProfile, least: number, fileOf?: (frame: string) => string): string[] {
  const files =
    fileOf === undefined
      ? []
      : [
          '',
          'source files whose functions ran most themselves:',
          ...topSelfFiles(profile, fileOf, 30).map((line) => `  ${line}`),
        ];
  return [
    '',
    'ran most themselves:',
    ...topSelf(profile, 30).map((line) => `  ${line}`),
    ...files,
    '',
    `call tree (frames of ${(least * 100).toFixed(1)}% or more; one child each: a > b):`,
    ...callTreeLines(profile, least).map((line) => `  ${line}`),
  ];
}
