import type { PlannedFragment } from '@cachesweeper/core';

/**
 * A fragment's identity up to its counter token: two blocks with the same identity
 * show the same HTML in one page (that is what the key promises), so a splice pass
 * can give a block the HTML resolved for another with its identity.
 */
export function fragmentIdentity(planned: PlannedFragment): string {
  return `${planned.quoted.head}\n${planned.plan.attributePart ?? ''}\n${planned.quoted.tail}`;
}
