import type { ProcessWait } from '../sharing/shared-renderings';
import type { RenderedFragment } from '../types';

/**
 * This process's wait for a fragment another process renders under its fleet-wide
 * lease: one promise that the pages of this process share. It settles with the
 * rendering that arrives (read from the cache), or with a rendering made here — by a
 * page that won the lease after all (`adopt`), or by the page that waited, once the
 * wait ran out — or fails, and then every page renders its own.
 */
export class FleetWait implements ProcessWait {
  /** The rendering the pages of this process wait for. */
  readonly rendering: Promise<RenderedFragment>;
  #resolve: (rendered: RenderedFragment) => void = () => {};
  #reject: (error: unknown) => void = () => {};
  #settled = false;
  #adopted = false;

  constructor() {
    this.rendering = new Promise<RenderedFragment>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Pages that wait attach their own handlers; a failure no page waits for is not an error.
    this.rendering.catch(() => undefined);
  }

  /** Whether a page of this process took the rendering over (the wait for the other process is off). */
  get adopted(): boolean {
    return this.#adopted;
  }

  /** Whether the wait has settled. */
  get settled(): boolean {
    return this.#settled;
  }

  /** Settles the wait with a rendering made in this process. */
  adopt(rendering: Promise<RenderedFragment>): void {
    if (this.#settled) return;
    this.#adopted = true;
    rendering.then(
      (rendered) => this.resolve(rendered),
      (error: unknown) => this.reject(error),
    );
  }

  /** Settles the wait with a rendering. */
  resolve(rendered: RenderedFragment): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(rendered);
  }

  /** Fails the wait: the pages waiting render their own. */
  reject(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(error);
  }
}

/** A flight of this process that waits on a lease: the wait its pages share, and when its write landed. */
export interface ProcessFlight {
  /** What the pages of this process wait for. */
  readonly wait: FleetWait;
  /** The write of the rendering made here, once queued (the flight is shared until it landed). */
  readonly write: { landed: Promise<void> };
}
