import { HAS_FINGERPRINT } from '../compile/capture-container';
import { inputsLog, programLog } from '../fingerprint/read-logs';
import { travelBack } from '../fingerprint/time-travel';
import { blockMode } from '../frames';
import { snapshotFrame } from '../helper/data-frames';
import { blockError, describeBlock, type SourceLocation } from '../location';
import type { DeferredItem, Read, Registration } from '../types';
import { RenderState } from './render-state';
import { WATCHED_BY } from './watched-by';

type Helper = (this: unknown, ...args: unknown[]) => unknown;
type Program = ((context: unknown, options?: { data?: unknown; blockParams?: unknown[] }) => string) & object;

interface WatchedOptions {
  name?: string;
  loc?: SourceLocation;
  fn?: Program;
  inverse?: Program;
  hash?: Record<string, unknown>;
  data?: unknown;
  [WATCHED_BY]?: Registration;
}

/**
 * The helpers a render of this registration runs with: the instance's and the
 * render's, each watched (but Handlebars' own, which only concatenate, and this
 * package's). A watched helper whose output does not hold, unchanged, every output of
 * its programs and of the templates it called that holds cached blocks — it lower-cased
 * them, collapsed their spaces, or dropped them — is detected even when no placeholder
 * was damaged: a block helper is then called again once the blocks are resolved (a
 * rerun), and any other makes the text around it render again in a splice pass.
 */
export function watchedHelpers(
  registration: Registration,
  runtime: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const helpers: Record<string, unknown> = {};
  for (const source of [registration.handlebars.helpers as Record<string, unknown>, runtime]) {
    if (source === undefined || source === null) continue;
    for (const name of Object.keys(source)) {
      const helper = source[name];
      if (typeof helper !== 'function' || registration.ownHelpers.has(name) || registration.builtins[name] === helper) {
        if (source === runtime) helpers[name] = helper;
        continue;
      }
      let watched = registration.watched.get(helper);
      if (watched === undefined) {
        watched = watch(registration, helper as Helper);
        registration.watched.set(helper, watched);
      }
      helpers[name] = watched;
    }
  }
  return helpers;
}

function watch(registration: Registration, helper: Helper): Helper {
  return function watched(this: unknown, ...args: unknown[]): unknown {
    const options = args.at(-1) as WatchedOptions | undefined;
    const mode = blockMode(registration);
    if (!(mode instanceof RenderState) || options === null || typeof options !== 'object') {
      return helper.apply(this, args);
    }
    options[WATCHED_BY] = registration;
    const first = mode.items.length;
    const mark = mode.outputs.length;
    const { fn, inverse } = options;
    if (typeof fn === 'function') options.fn = recording(registration, mode, fn);
    if (typeof inverse === 'function') options.inverse = recording(registration, mode, inverse);
    let result: unknown;
    try {
      result = helper.apply(this, args);
    } finally {
      options.fn = fn;
      options.inverse = inverse;
    }
    const outputs = mode.outputs.splice(mark);
    const inner = mode.items.slice(first);
    if (inner.length === 0) return result;
    const text = transformInputs(mode, textOf(result), inner);
    const kept = (output: { text: string }) => text.includes(transformInputs(mode, output.text, inner));
    if (outputs.length > 0 && outputs.every(kept)) return result;
    if (typeof fn !== 'function') {
      // Not a block helper: where its result lands (escaped or not) is not known; the text around it renders again.
      for (const item of inner) mode.damaged.add(item);
      return result;
    }
    registration.fallback(
      blockError(
        describeBlock(options.name ?? '?', options.loc),
        'changed the output of the cached blocks in it (a helper that rewrites its block): called it again once they were resolved; wrap it with transformBlockOutput to spare the second call',
      ),
    );
    const logs = outputs.flatMap((output) => output.log);
    return mode.add(rerunOf(registration, mode, helper, this, args, options, inner, logs));
  };
}

/** A rerun of a block helper: the same call, its data frame as it was, and every read of its inputs and blocks put back. */
function rerunOf(
  registration: Registration,
  state: RenderState,
  helper: Helper,
  self: unknown,
  args: readonly unknown[],
  options: WatchedOptions,
  inner: readonly DeferredItem[],
  programLogs: readonly Read[],
): DeferredItem {
  const data = snapshotFrame(options.data);
  const again: WatchedOptions = {
    ...options,
    data,
    fn: withData(options.fn, data),
    inverse: withData(options.inverse, data),
  };
  const params = args.slice(0, -1);
  const log: Read[] = [
    ...programLogs,
    ...inputsLog(registration, [self, ...params, ...Object.values(options.hash ?? {})]),
  ];
  for (const item of inner) if (item.kind === 'block') log.push(...item.log);
  return {
    kind: 'rerun',
    index: state.items.length,
    inner,
    claimed: false,
    rerun: () => {
      const undo = travelBack(log);
      try {
        return textOf(helper.apply(self, [...params, again]));
      } finally {
        undo();
      }
    },
  };
}

/**
 * The text with the placeholders of transforms created in it put back to their inputs:
 * a helper that used `transformBlockOutput` on its output kept it, as far as detection goes.
 */
function transformInputs(state: RenderState, text: string, inner: readonly DeferredItem[]): string {
  let expanded = text;
  for (let index = inner.length - 1; index >= 0; index--) {
    const item = inner[index] as DeferredItem;
    if (item.kind === 'transform') expanded = expanded.split(state.placeholderOf(item)).join(item.input);
  }
  return expanded;
}

/**
 * A program that notes its outputs holding placeholders, with what the program read:
 * its fingerprint, taken just before it runs (the program, or the helper between two
 * calls, may change what it reads); it keeps the program's properties (block params count…).
 */
function recording(registration: Registration, state: RenderState, program: Program): Program {
  const recorder = (context: unknown, options?: { data?: unknown; blockParams?: unknown[] }) => {
    const log = (program as Record<string, unknown>)[HAS_FINGERPRINT]
      ? programLog(registration, state.runtimeHelpers, program, context, options)
      : [];
    const output = program(context, options);
    if (typeof output === 'string' && state.mayHoldPlaceholders(output)) state.outputs.push({ text: output, log });
    return output;
  };
  return Object.assign(recorder, program);
}

/** A program that renders with `data` unless told otherwise (a loop's frame changes after the call). */
function withData(program: Program | undefined, data: unknown): Program | undefined {
  if (program === undefined) return undefined;
  const bound = (context: unknown, options?: { data?: unknown; blockParams?: unknown[] }) =>
    program(context, { ...options, data: options?.data ?? data });
  return Object.assign(bound, program);
}

function textOf(result: unknown): string {
  if (result === null || result === undefined) return '';
  const toHTML = (result as { toHTML?: unknown }).toHTML;
  return typeof toHTML === 'function' ? String(toHTML.call(result)) : String(result);
}
