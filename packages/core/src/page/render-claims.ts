import { readCounters } from '../conversations/token-reads';
import { nestedTokensHold } from '../fragments/stored-fragment';
import type { RenderedFragment } from '../types';
import type { RenderClaim, WaitClaim } from './claims';
import type { FragmentSlot } from './fragment-slot';
import { nestedTokensOf } from './nested-tokens';
import type { PageState } from './page-state';
import type { SessionServices } from './session-services';

/** What building a claim needs: the sweeper's services and the page's state. */
export interface ClaimContext {
  readonly services: SessionServices;
  readonly page: PageState;
}

/** What a render claim does once its rendering completes or fails. */
export interface ClaimEnd {
  /** Whether this page holds the fragment's fleet-wide lease. */
  readonly leased?: boolean;
  /** Told the finished rendering (HTML and nested counters). */
  readonly completed?: (rendered: RenderedFragment) => void;
  /** Told why the rendering failed. */
  readonly failed?: (error: unknown) => void;
}

/**
 * A claim to render `slot` here: `complete` records the counters of the fragments
 * rendered inside it (and notes them as read-ahead hints), then tells `end`; `fail`
 * tells `end` too. Settles once: later calls are ignored.
 */
export function renderClaim(ctx: ClaimContext, slot: FragmentSlot, shared: boolean, end: ClaimEnd = {}): RenderClaim {
  let settled = false;
  const { hints, telemetry } = ctx.services;
  const timer = telemetry.startRender(ctx.page.trace);
  return {
    role: 'render',
    shared,
    leased: end.leased ?? false,
    complete: (html, children) => {
      if (settled) return;
      settled = true;
      const renderMicros = timer?.();
      // A fragment without a key nests nothing the page could record: it is never stored.
      const nested = slot.key === undefined ? null : nestedTokensOf(children, ctx.page, slot.planned.plan.contentsKey);
      slot.nested = nested;
      if (children !== null) {
        hints?.noteNested(
          slot.planned,
          children.map((child) => child.planned),
        );
      }
      // What the next lookup finds stored under its key (a shared rendering is stored): its token round reads by it.
      if (shared && slot.key !== undefined && nested !== null) {
        const { counterKey } = slot.planned.plan;
        const counter = counterKey === undefined ? undefined : ctx.page.tokens.get(counterKey);
        hints?.noteLookup(slot.planned, slot.key, nested, counter ?? undefined);
      }
      end.completed?.(renderMicros === undefined ? { html, nested } : { html, nested, renderMicros });
    },
    fail: (error) => {
      if (settled) return;
      settled = true;
      slot.nested = null;
      end.failed?.(error);
    },
  };
}

/** A claim to render `slot` here, neither shared nor stored. */
export function privateClaim(ctx: ClaimContext, slot: FragmentSlot): RenderClaim {
  if (slot.status === 'miss') ctx.services.reporter.count('renders', ctx.page.sinks);
  return renderClaim(ctx, slot, false);
}

/** Waits for another rendering; serves it only if what it nests holds the tokens this page reads. */
export function waitFor(
  ctx: ClaimContext,
  slot: FragmentSlot,
  rendering: Promise<RenderedFragment>,
  on: WaitClaim['on'],
): WaitClaim {
  return { role: 'wait', on, rendering: servedFrom(ctx, slot, rendering) };
}

/** The HTML of `rendering` if what it nests holds the tokens this page reads; `undefined` otherwise or on failure. */
export function servedFrom(
  ctx: ClaimContext,
  slot: FragmentSlot,
  rendering: Promise<RenderedFragment>,
): Promise<string | undefined> {
  return rendering.then(
    async (rendered) => {
      if (!(await holds(ctx, rendered))) return undefined;
      slot.nested = rendered.nested;
      return rendered.html;
    },
    () => undefined,
  );
}

/** Whether a rendering's nested counters hold the tokens the page has read. */
export function holdsNow(page: PageState, rendered: RenderedFragment): boolean {
  return rendered.nested !== null && nestedTokensHold(rendered.nested, page.tokens);
}

/** Whether a rendering's nested counters hold the tokens this page reads for them (reading those it lacks). */
async function holds(ctx: ClaimContext, rendered: RenderedFragment): Promise<boolean> {
  const { page, services } = ctx;
  if (rendered.nested === null) return false;
  if (holdsNow(page, rendered)) return true;
  if (!page.available || services.closed()) return false;
  const keys = rendered.nested.map(([versionKey]) => versionKey);
  const outcome = await services.runner.run(
    readCounters(keys, page, services.context),
    page.sinks,
    page.sinks,
    page.trace,
  );
  if (!outcome.ok) {
    page.available = false;
    return false;
  }
  return holdsNow(page, rendered);
}
