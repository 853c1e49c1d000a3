/**
 * Names of the helpers that fingerprint programs call (see `compile/fingerprint-program.ts`).
 * A fingerprint program is a copy of a template program that renders nothing: it reads
 * what the template would read, through these helpers, so that a block's key can hold
 * every value from outside the block that its output depends on.
 */
export const FP = {
  /** Block around a program and its fingerprint: renders the program, or the fingerprint while one is taken. */
  switch: '__cachesweeperFpSwitch',
  /** Records the digest of a template (a file, an inline partial, a partial block's content). */
  template: '__cachesweeperFpTemplate',
  /** Sub-expression: a path read, as a reference that knows whether the block's row covers it. */
  ref: '__cachesweeperFpRef',
  /** A value rendered by `{{path}}`. */
  value: '__cachesweeperFpValue',
  /** `{{name}}`: a helper if one is registered under that name, else a value. */
  mustache: '__cachesweeperFpMustache',
  /** A call of a helper the fingerprint cannot look into (mustache or block). */
  helper: '__cachesweeperFpHelper',
  /** Sub-expression: a helper call. */
  call: '__cachesweeperFpCall',
  /** Block: Handlebars' `#if`. */
  if: '__cachesweeperFpIf',
  /** Block: Handlebars' `#unless`. */
  unless: '__cachesweeperFpUnless',
  /** Block: Handlebars' `#each`. */
  each: '__cachesweeperFpEach',
  /** Block: Handlebars' `#with`. */
  with: '__cachesweeperFpWith',
  /** Block: `{{#name}}…{{/name}}` without params: a helper, or a section over a value (`blockHelperMissing`). */
  section: '__cachesweeperFpSection',
  /** Block: a cached block nested in the one being fingerprinted. */
  block: '__cachesweeperFpBlock',
  /** Sub-expression: the name of the partial to call while fingerprinting. */
  partial: '__cachesweeperFpPartial',
  /** Sub-expression: a partial's context, extended with its hash as Handlebars extends it. */
  extend: '__cachesweeperFpExtend',
  /** Something a fingerprint cannot see into (a custom decorator). */
  unknown: '__cachesweeperFpUnknown',
} as const;

/** Every fingerprint helper name. */
export const FP_HELPER_NAMES: readonly string[] = Object.values(FP);
