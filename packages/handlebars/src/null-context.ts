/**
 * Handlebars passes helpers `container.nullContext`, a sealed empty object, when the
 * context is null or undefined. A helper of this package that calls its program
 * again passes `null` instead: the program then behaves as the original call did (no
 * context pushed for `../`, nothing rendered for `{{this}}`).
 */
export function contextOf(self: unknown): unknown {
  if (
    self !== null &&
    typeof self === 'object' &&
    Object.getPrototypeOf(self) === Object.prototype &&
    Object.isSealed(self) &&
    !Object.isFrozen(self) &&
    Object.keys(self).length === 0
  ) {
    return null;
  }
  return self;
}
