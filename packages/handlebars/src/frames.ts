import type { DeferredFrame, FingerprintFrame, Frame, Registration, SyncPage } from './types';

/** The innermost frame of `kind` running on a registration, if any. */
export function innermost<K extends Frame['kind']>(
  registration: Registration,
  kind: K,
): Extract<Frame, { kind: K }> | undefined {
  const frames = registration.frames;
  for (let index = frames.length - 1; index >= 0; index--) {
    const frame = frames[index] as Frame;
    if (frame.kind === kind) return frame as Extract<Frame, { kind: K }>;
  }
  return undefined;
}

/** The frame running right now, if any. */
export function currentFrame(registration: Registration): Frame | undefined {
  return registration.frames.at(-1);
}

/** Runs `run` (synchronously) with `frame` on top of the registration's frames. */
export function withFrame<T>(registration: Registration, frame: Frame, run: () => T): T {
  const frames = registration.frames;
  const depth = frames.length;
  frames.push(frame);
  try {
    return run();
  } finally {
    frames.length = depth;
  }
}

/**
 * Where a block called right now goes: into the render around it (`deferred`), in
 * place through a plain call's session (`sync`), or nowhere because a fingerprint is
 * being taken; `undefined` outside any template call of the registration.
 */
export function blockMode(registration: Registration): DeferredFrame | SyncPage | FingerprintFrame | undefined {
  const frames = registration.frames;
  for (let index = frames.length - 1; index >= 0; index--) {
    const frame = frames[index] as Frame;
    if (frame.kind === 'fingerprint' || frame.kind === 'deferred') return frame;
    if (frame.kind === 'call') return frame.mode;
  }
  return undefined;
}
