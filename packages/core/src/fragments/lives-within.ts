import type { PlannedFragment } from '../types';

/** Whether `fragment` is planned as a row within the row whose contents counter is `contentsKey` (see `within`). */
export function livesWithin(fragment: PlannedFragment, contentsKey: string | undefined): boolean {
  return contentsKey !== undefined && fragment.within?.includes(contentsKey) === true;
}
