import { currentFrame } from '../frames';
import type { Registration } from '../types';
import { FingerprintRun } from './fingerprint-run';

/** A compiled program as Handlebars hands it to a helper. */
export type ProgramFunction = ((context: unknown, options?: { data?: unknown; blockParams?: unknown[] }) => string) & {
  readonly blockParams?: number;
};

/** The options Handlebars passes a helper, as far as the fingerprint helpers read them. */
export interface HelperOptions {
  readonly fn?: ProgramFunction;
  readonly inverse?: ProgramFunction;
  readonly hash: Record<string, unknown>;
  readonly data?: Record<string, unknown>;
  readonly lookupProperty: (parent: unknown, name: string) => unknown;
}

/** A fingerprint helper: `this` is the context, the last argument Handlebars' options. */
export type FingerprintHelper = (this: unknown, ...args: unknown[]) => unknown;

/** The fingerprint running on top of the registration's frames, if one is. */
export function runOf(registration: Registration): FingerprintRun | undefined {
  const frame = currentFrame(registration);
  return frame instanceof FingerprintRun ? frame : undefined;
}

/** Splits a helper's arguments into its params and Handlebars' options. */
export function splitArguments(args: unknown[]): { params: unknown[]; options: HelperOptions } {
  return { params: args.slice(0, -1), options: args.at(-1) as HelperOptions };
}
