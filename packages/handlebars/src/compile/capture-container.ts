/** Name of the decorator the compile step puts at the top of every cachesweeper block. */
export const CAPTURE_DECORATOR = '__cachesweeperCapture';

/** Name of the decorator on partial blocks' content and inline partials, which may run from a block rendered later. */
export const RESTORE_DECORATOR = '__cachesweeperRestore';

const CAPTURED = '__cachesweeperContainer';

/** Property set on programs whose body holds its fingerprint (the restore decorator marks them). */
export const HAS_FINGERPRINT = '__cachesweeperHasFingerprint';

/** The parts of a compiled template's runtime container that a deferred block must see as they were. */
interface ContainerState {
  helpers: unknown;
  partials: unknown;
  decorators: unknown;
  hooks: unknown;
  protoAccessControl: unknown;
}

interface Captured {
  readonly container: ContainerState;
  readonly state: ContainerState;
}

/**
 * The capture decorator. Handlebars keeps one runtime container per compiled
 * template and rewrites its helpers and partials at every call (`_setup`), and
 * `{{#*inline}}` partials exist in it only while the program that declares them
 * runs. A block rendered after the template returned would see whatever the last
 * render left there; this records the container as it is when the block's program
 * is created, on the block function itself (decorators run at that moment).
 */
export function captureContainer(fn: object, props: Record<string, unknown>, container: ContainerState): object {
  props[CAPTURED] = { container, state: stateOf(container) } satisfies Captured;
  return fn;
}

/**
 * The restore decorator. A partial block's content (`{{#> card}}…{{/card}}`) and an
 * inline partial run with the container of the template that declared them; from a
 * cached block rendered after that template returned, its inline partials would be
 * gone. The decorator wraps the program so that it always runs with the container as
 * it was when the program was created; `onCall` sees each call (a partial's context
 * and options).
 */
export function restoreContainerWith(onCall: (context: unknown, options: unknown) => void) {
  return function restoreContainer(fn: object, props: Record<string, unknown>, container: ContainerState): object {
    // The compile step puts this decorator only on programs it gave a fingerprint switch.
    props[HAS_FINGERPRINT] = true;
    const state = stateOf(container);
    const program = fn as (this: unknown, ...args: unknown[]) => unknown;
    return function restored(this: unknown, ...args: unknown[]) {
      onCall(args[0], args[1]);
      return withState(container, state, () => program.apply(this, args));
    };
  };
}

function stateOf(container: ContainerState): ContainerState {
  return {
    helpers: container.helpers,
    partials: container.partials,
    decorators: container.decorators,
    hooks: container.hooks,
    protoAccessControl: container.protoAccessControl,
  };
}

function withState<T>(container: ContainerState, state: ContainerState, render: () => T): T {
  const saved = stateOf(container);
  Object.assign(container, state);
  try {
    return render();
  } finally {
    Object.assign(container, saved);
  }
}

/** The helpers and partials a block's template had when the block was called (`undefined`: not a captured block). */
export function capturedScope(
  fn: object,
):
  | { readonly helpers: Readonly<Record<string, unknown>>; readonly partials: Readonly<Record<string, unknown>> }
  | undefined {
  const captured = (fn as Record<string, unknown>)[CAPTURED] as Captured | undefined;
  if (captured === undefined) return undefined;
  return {
    helpers: (captured.state.helpers ?? {}) as Readonly<Record<string, unknown>>,
    partials: (captured.state.partials ?? {}) as Readonly<Record<string, unknown>>,
  };
}

/** Runs `render` with the container of `fn` put back as it was captured, then restores it. */
export function inCapturedContainer<T>(fn: object, render: () => T): T {
  const captured = (fn as Record<string, unknown>)[CAPTURED] as Captured | undefined;
  if (captured === undefined) return render();
  return withState(captured.container, captured.state, render);
}
