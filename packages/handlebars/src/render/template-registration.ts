import type { Registration } from '../types';

// `Symbol.for`, so the ESM and CommonJS builds of this package agree on it.
const REGISTRATION = Symbol.for('cachesweeper.handlebars.template-registration');

/** Marks a template compiled by a registered Handlebars instance with its registration. */
export function tagTemplate(template: unknown, registration: Registration): void {
  if (
    (typeof template === 'function' || (typeof template === 'object' && template !== null)) &&
    Object.isExtensible(template)
  ) {
    Object.defineProperty(template, REGISTRATION, { value: registration, configurable: true });
  }
}

/** The registration of the instance that compiled `template`, if a registered instance did. */
export function registrationOf(template: unknown): Registration | undefined {
  if (typeof template !== 'function' && (typeof template !== 'object' || template === null)) return undefined;
  return (template as { [REGISTRATION]?: Registration })[REGISTRATION];
}
