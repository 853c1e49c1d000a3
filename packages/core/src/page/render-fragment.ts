import { CacheSweeperError, describeValue } from '../errors';
import { describeTarget } from '../targets';
import type { PlannedFragment } from '../types';
import type { RenderClaim } from './claims';
import type { SweeperSession } from './sweeper-session';
import type { SyncRenderStack } from './sync-render-stack';

/** Gets one fragment from the cache or renders it, through the session protocol. */
export async function renderFragment(
  session: SweeperSession,
  planned: PlannedFragment,
  render: () => string | Promise<string>,
): Promise<string> {
  const [slot] = await session.lookup([planned]);
  if (slot === undefined) throw new CacheSweeperError('sweeper', 'lookup returned no slot');
  if (slot.html !== undefined) return slot.html;
  let claim = session.claim(slot);
  if (claim.role === 'wait') {
    const html = await claim.rendering;
    if (html !== undefined) return html;
    claim = session.claimAfterWait(slot);
  }
  return completeWith(claim, planned, render);
}

async function completeWith(
  claim: RenderClaim,
  planned: PlannedFragment,
  render: () => string | Promise<string>,
): Promise<string> {
  let html: string;
  try {
    html = checkRendered(await render(), planned);
  } catch (error) {
    claim.fail(error);
    throw error;
  }
  // Renders that call `fragment` again inside are not tracked: nothing is recorded as nested.
  claim.complete(html, []);
  return html;
}

/**
 * As `renderFragment`, synchronously (a backend with synchronous access). The
 * fragments looked up while `render` runs are recorded as nested in this one, and this
 * one in the render open around it, if any.
 */
export function renderFragmentSync(
  session: SweeperSession,
  stack: SyncRenderStack,
  planned: PlannedFragment,
  render: () => string,
): string {
  const [slot] = session.lookupSync([planned]);
  if (slot === undefined) throw new CacheSweeperError('sweeper', 'lookup returned no slot');
  if (slot.html === undefined) {
    const claim = session.claimSync(slot);
    let html: string;
    let children: Parameters<RenderClaim['complete']>[1];
    try {
      const rendered = stack.collect(render);
      html = checkRendered(rendered.value, planned);
      children = rendered.children;
    } catch (error) {
      claim.fail(error);
      throw error;
    }
    claim.complete(html, children);
    stack.noteChild(slot);
    return html;
  }
  stack.noteChild(slot);
  return slot.html;
}

/** Checks that a render returned a string; throws a CacheSweeperError naming the fragment otherwise. */
export function checkRendered(html: unknown, target: Pick<PlannedFragment, 'model' | 'id' | 'wholeModel'>): string {
  if (typeof html !== 'string') {
    throw new CacheSweeperError(
      'sweeper',
      `render of ${describeTarget(target)} returned ${describeValue(html)}, not a string`,
    );
  }
  return html;
}
