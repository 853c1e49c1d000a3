import { capturedScope } from '../compile/capture-container';
import { withFrame } from '../frames';
import { renderBody } from '../render/block-body';
import type { BlockFunction, Frame, Read, Registration } from '../types';
import { CannotKnow, FingerprintRun, OPAQUE } from './fingerprint-run';

/** What a block's body reads from outside itself, taken when the block is called. */
export interface Fingerprint {
  /** The digest of it (with the digests of the partials it reaches); `undefined` when it cannot be known. */
  readonly digest: string | undefined;
  /** Every property it read, for putting them back while the block renders later. */
  readonly log: readonly Read[];
  /** Why it cannot be known, when it cannot: the block then renders without the cache. */
  readonly unknown: string | undefined;
  /** Whether it read anything from outside itself at all (what it showed then depends on its row alone when not). */
  readonly readsOutside: boolean;
}

/** What fingerprinting a block needs. */
export interface FingerprintedBlock {
  /** The block program (its body holds its fingerprint, see `compile/annotate-template.ts`). */
  readonly fn: BlockFunction;
  /** The block's row. */
  readonly target: unknown;
  /** Whether a loader gives the body its data (then `this`, or the block param, is that data). */
  readonly hasLoader: boolean;
}

/**
 * Runs a block's fingerprint program where the block sits, as its body would run —
 * on the loaded data (opaque: the block's token keys it) or on the context, with the
 * target as block param — and returns its digest and read log. Any failure makes the
 * block's reads unknown (it renders without the cache; its own render reports real errors).
 */
export function fingerprintBlock(
  registration: Registration,
  block: FingerprintedBlock,
  context: unknown,
  data: unknown,
): Fingerprint {
  const scope = capturedScope(block.fn);
  const run = new FingerprintRun(
    registration,
    scope?.helpers ?? {},
    runtimeHelpersOf(registration.frames),
    scope?.partials ?? {},
    block.target,
  );
  try {
    withFrame(registration, run, () =>
      renderBody(
        { fn: block.fn, context, data, target: block.target as object },
        block.hasLoader ? { value: OPAQUE } : undefined,
      ),
    );
  } catch (error) {
    if (!(error instanceof CannotKnow)) {
      run.unknown ??= `taking its fingerprint failed (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  return {
    digest: run.unknown === undefined ? run.digest() : undefined,
    log: run.log,
    unknown: run.unknown,
    readsOutside: run.readsOutside,
  };
}

/** The helpers passed to the innermost template call or render. */
function runtimeHelpersOf(frames: readonly Frame[]): Readonly<Record<string, unknown>> | undefined {
  for (let index = frames.length - 1; index >= 0; index--) {
    const frame = frames[index] as Frame;
    if (frame.kind === 'call' || frame.kind === 'deferred') return frame.runtimeHelpers;
  }
  return undefined;
}
