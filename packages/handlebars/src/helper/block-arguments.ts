import { describeValue, type KeyPart, type Target } from '@cachesweeper/core';
import { DIGEST_KEY, INSIDE_KEY } from '../compile/annotate-template';
import { digestOf } from '../digest';
import { blockError, describeBlock, type SourceLocation } from '../location';
import { resolveLoader } from '../render/loaders';
import type { BlockFunction, Loader, Registration } from '../types';

/** The options Handlebars passes a block helper, as far as this package reads them. */
export interface BlockHelperOptions {
  readonly fn?: BlockFunction;
  readonly hash?: Record<string, unknown>;
  readonly data?: unknown;
  readonly loc?: SourceLocation;
}

/** A block's arguments, checked. */
export interface BlockArguments {
  /** The block's position, for messages. */
  readonly where: string;
  /** The block program. */
  readonly fn: BlockFunction;
  /** The row the block shows. */
  readonly target: Target;
  /** The TTL as written (core checks it when planning). */
  readonly ttlSeconds: number;
  /** Extra key parts. */
  readonly parts: KeyPart[];
  /** The template digest: the block's source, plus `digest=`. */
  readonly digest: string;
  /** Whether the block reads nothing from outside itself: its loaded data only (its key needs no fingerprint). */
  readonly inside: boolean;
  /** The miss-only loader, if any. */
  readonly loader: Loader | undefined;
}

const OPTIONS = new Set(['load', 'digest', DIGEST_KEY, INSIDE_KEY]);

/**
 * Reads `{{#cachesweeper target ttl …parts load=… digest=…}}`; throws a
 * CacheSweeperError naming the block's line and the bad value.
 */
export function readBlockArguments(
  registration: Registration,
  args: readonly unknown[],
  options: BlockHelperOptions,
): BlockArguments {
  const where = describeBlock(registration.helperName, options?.loc);
  const fn = options?.fn;
  if (typeof fn !== 'function') {
    throw blockError(
      where,
      `is a block helper: write {{#${registration.helperName} target ttl}}…{{/${registration.helperName}}}`,
    );
  }
  if (args.length < 2) {
    throw blockError(
      where,
      `needs a target and a TTL in seconds, as in {{#${registration.helperName} comment 600 "comment"}}; got ${args.length} argument(s)`,
    );
  }
  const hash = options.hash ?? {};
  for (const name of Object.keys(hash)) {
    if (!OPTIONS.has(name)) {
      throw blockError(where, `unknown option ${name}=${describeValue(hash[name])}; the options are load= and digest=`);
    }
  }
  const compiled = hash[DIGEST_KEY];
  const extra = hash.digest;
  if (extra !== undefined && typeof extra !== 'string' && typeof extra !== 'number') {
    throw blockError(where, `digest= must be a string or a number, got ${describeValue(extra)}`);
  }
  if (typeof compiled !== 'string' && extra === undefined) {
    throw blockError(
      where,
      'was compiled without its template digest, so an edited template could serve old HTML: compile it with the Handlebars instance given to registerCacheSweeper, after registering (or pass digest=)',
    );
  }
  let digest = typeof compiled === 'string' ? compiled : '';
  if (extra !== undefined) digest = digestOf(digest, String(extra));
  const loader = resolveLoader(hash.load, registration.loaders, where);
  return {
    where,
    fn,
    target: args[0] as Target,
    ttlSeconds: args[1] as number,
    parts: args.slice(2).map(toKeyPart),
    digest,
    // A block compiled elsewhere, keyed by hand with digest=, has no fingerprint program: its key is the user's.
    inside: typeof compiled !== 'string' || (hash[INSIDE_KEY] === true && loader !== undefined),
    loader,
  };
}

// A SafeString (the result of a helper) stands for its text.
function toKeyPart(part: unknown): KeyPart {
  if (part !== null && typeof part === 'object' && typeof (part as { toHTML?: unknown }).toHTML === 'function') {
    return String((part as { toHTML(): unknown }).toHTML());
  }
  return part as KeyPart;
}
