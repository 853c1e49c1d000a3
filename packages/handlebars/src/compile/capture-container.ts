/** Name of the decorator the compile step puts at the top of every cachesweeper block. */
export const CAPTURE_DECORATOR = '__cachesweeperCapture';

const CAPTURED = '__cachesweeperContainer';

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
  props[CAPTURED] = {
    container,
    state: {
      helpers: container.helpers,
      partials: container.partials,
      decorators: container.decorators,
      hooks: container.hooks,
      protoAccessControl: container.protoAccessControl,
    },
  } satisfies Captured;
  return fn;
}

/** Runs `render` with the container of `fn` put back as it was captured, then restores it. */
export function inCapturedContainer<T>(fn: object, render: () => T): T {
  const captured = (fn as Record<string, unknown>)[CAPTURED] as Captured | undefined;
  if (captured === undefined) return render();
  const { container, state } = captured;
  const saved: ContainerState = {
    helpers: container.helpers,
    partials: container.partials,
    decorators: container.decorators,
    hooks: container.hooks,
    protoAccessControl: container.protoAccessControl,
  };
  Object.assign(container, state);
  try {
    return render();
  } finally {
    Object.assign(container, saved);
  }
}
