import type { Leasing } from '../conversations/lease-round';
import { encodeFragment, expiryOf } from '../fragments/stored-fragment';
import { FleetWait, type ProcessFlight } from '../leases/fleet-wait';
import { pollLease } from '../leases/lease-poll';
import { releaseLease } from '../leases/lease-release';
import type { LeaseSettings } from '../leases/lease-settings';
import type { FragmentLease, RenderedFragment } from '../types';
import type { Claim, RenderClaim, WaitClaim } from './claims';
import type { FragmentSlot } from './fragment-slot';
import { type ClaimContext, holdsNow, privateClaim, renderClaim, servedFrom, waitFor } from './render-claims';

type WonLease = Extract<FragmentLease, { state: 'won' }>;
type Settle = { resolve(rendered: RenderedFragment): void; reject(error: unknown): void };

/**
 * Claims of one page on fragments it missed: who renders each, in this process and
 * across the fleet.
 *
 * - A rendering of the key running in this process (or just finished, nesting the
 *   tokens this page read) is waited for, as single flight within a process. So is a
 *   page of this process that asks for the key's lease: one page per process asks.
 * - Otherwise, when another process holds the fragment's fleet-wide lease (`taken`),
 *   this page waits for that process's rendering (a `FleetWait` the other pages of the
 *   process join), polling the cache for at most `leases.waitMs`. If it does not
 *   arrive, this page renders it, stores it and hands it to those pages
 *   (`afterWait`); if it wins the lease meanwhile, the same.
 * - Otherwise this page renders it and leads the process; if it holds the lease
 *   (`won`), the other processes wait for it, and a failed rendering, or one that
 *   cannot be stored, gives the lease back at once.
 *
 * A page that won the lease while pages of its process wait for another process
 * renders it, and the waiting pages take its rendering.
 */
export class MissClaims {
  readonly #ctx: ClaimContext;
  /** Pages' fleet waits that ended without the fragment: claiming again renders it here, for the process. */
  readonly #renderAfterWait = new Map<FragmentSlot, () => RenderClaim>();

  /** Claims for the page of `ctx`. */
  constructor(ctx: ClaimContext) {
    this.#ctx = ctx;
  }

  /** What this page's lookups need to take leases, when the sweeper uses them. */
  leasing(): Leasing | undefined {
    const { services, page } = this.#ctx;
    const settings = services.leases;
    // A page that stores nothing must not hold a lease others would wait for.
    if (settings === undefined || !page.store) return undefined;
    return {
      settings,
      runsHere: (key) => {
        const flight = services.renderings.state(key, page.startedAt);
        return flight?.kind === 'running' || (flight?.kind === 'settled' && holdsNow(page, flight.rendered));
      },
      asking: (key) => {
        const flight: ProcessFlight = { wait: new FleetWait(), write: { landed: Promise.resolve() } };
        page.pending.set(key, flight);
        services.renderings.lead(
          key,
          () => flight.wait.rendering,
          () => flight.write.landed,
          flight.wait,
        );
      },
    };
  }

  /**
   * Settles the flights this page opened while asking for leases, once its lookup is
   * done: with the copy it found (a hit), or left for its claim (a miss) — which must
   * come in this turn: a flight not claimed by then fails, and the pages that joined it
   * render their own. A failed lookup (`undefined`) fails them all.
   */
  afterLookup(slots: readonly FragmentSlot[] | undefined): void {
    const { pending } = this.#ctx.page;
    if (pending.size === 0) return;
    for (const [key, flight] of pending) {
      const slot = slots?.find((each) => each.key === key);
      if (slot?.html !== undefined && slot.nested !== undefined) {
        pending.delete(key);
        flight.wait.resolve({ html: slot.html, nested: slot.nested });
      } else if (slot?.status !== 'miss') {
        pending.delete(key);
        flight.wait.reject(new Error(`the lookup of "${key}" failed`));
      }
    }
    setImmediate(() => {
      for (const [key, flight] of pending) {
        pending.delete(key);
        flight.wait.reject(new Error(`the page that asked for the lease on "${key}" did not claim it`));
        const lease = slots?.find((each) => each.key === key)?.lease;
        if (lease?.state === 'won') this.#release(key, lease);
      }
    });
  }

  /** Claims a missed fragment stored under `key`; `parent`: the fragment it is rendered inside, if any. */
  claim(slot: FragmentSlot, key: string, parent: FragmentSlot | undefined): Claim {
    const { services, page } = this.#ctx;
    const lease = slot.lease;
    const won = lease?.state === 'won' ? lease : undefined;
    const asked = page.pending.get(key);
    if (asked !== undefined) {
      // This page asked for the lease for its process: it renders, or waits for the fleet, for all of them.
      page.pending.delete(key);
      if (lease?.state === 'taken' && parent === undefined && services.leases !== undefined) {
        return this.#waitForFleet(slot, key, services.leases, asked);
      }
      return this.#lead(slot, key, won, asked);
    }
    const flight = services.renderings.state(key, page.startedAt);
    if (flight?.kind === 'settled' && holdsNow(page, flight.rendered)) {
      return waitFor(this.#ctx, slot, Promise.resolve(flight.rendered), 'process');
    }
    if (flight?.kind === 'running') {
      if (won !== undefined && flight.waiting !== undefined) {
        return this.#lead(slot, key, won, { wait: flight.waiting, write: { landed: Promise.resolve() } });
      }
      // The leader here stores it over this page's lease; if it fails, nobody will: give the lease back.
      if (won !== undefined) flight.rendering.catch(() => this.#release(key, won));
      if (parent !== undefined) return privateClaim(this.#ctx, slot);
      return waitFor(this.#ctx, slot, flight.rendering, flight.waiting === undefined ? 'process' : 'fleet');
    }
    if (lease?.state === 'taken' && parent === undefined && services.leases !== undefined) {
      return this.#waitForFleet(slot, key, services.leases);
    }
    return this.#lead(slot, key, won);
  }

  /**
   * Claims a fragment whose wait came back empty: when this page waited for another
   * process and nothing arrived, it renders the fragment for its process and stores it;
   * otherwise (another page's rendering failed, or nests other tokens) it renders privately.
   */
  afterWait(slot: FragmentSlot): RenderClaim {
    const take = this.#renderAfterWait.get(slot);
    if (take === undefined) return privateClaim(this.#ctx, slot);
    this.#renderAfterWait.delete(slot);
    return take();
  }

  /** Renders `key` as the process's leader (as the fleet's, with `won`); settles `joined`, a flight it takes over. */
  #lead(
    slot: FragmentSlot,
    key: string,
    won: WonLease | undefined,
    joined?: {
      readonly wait: { adopt(rendering: Promise<RenderedFragment>): void };
      readonly write: ProcessFlight['write'];
    },
  ): RenderClaim {
    const { services } = this.#ctx;
    services.reporter.count('renders', this.#ctx.page.sinks);
    let settle: Settle | undefined;
    const rendering = new Promise<RenderedFragment>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // Queued when the rendering completes (so `idle()` covers it at once), shared until it landed.
    const write = joined?.write ?? { landed: Promise.resolve() };
    joined?.wait.adopt(rendering);
    services.renderings.lead(
      key,
      () => rendering,
      () => write.landed,
    );
    return this.#storingClaim(slot, key, won, write, settle);
  }

  /** Waits for another process's rendering of `key`, as this process's wait (`flight`, when opened already). */
  #waitForFleet(slot: FragmentSlot, key: string, settings: LeaseSettings, opened?: ProcessFlight): WaitClaim {
    const { services, page } = this.#ctx;
    services.reporter.count('leaseWaits', page.sinks);
    const flight = opened ?? { wait: new FleetWait(), write: { landed: Promise.resolve() } };
    const { wait, write } = flight;
    if (opened === undefined) {
      services.renderings.lead(
        key,
        () => wait.rendering,
        () => write.landed,
        wait,
      );
    }
    const poll = { ...services, page, settings, timeoutMs: services.runner.timeoutMs };
    let renderHere: () => void = () => {};
    const served = new Promise<string | undefined>((resolve) => {
      renderHere = () => resolve(undefined);
      servedFrom(this.#ctx, slot, wait.rendering).then(resolve);
    });
    void pollLease(key, poll, () => wait.adopted || wait.settled).then((outcome) => {
      if (outcome.kind === 'cancelled' || wait.settled || wait.adopted) return;
      if (outcome.kind === 'arrived') {
        wait.resolve({ html: outcome.stored.html, nested: outcome.stored.nested });
        return;
      }
      // Nothing arrived: this page renders it for the process; the pages that joined keep waiting for it.
      services.reporter.count('leaseTimeouts', page.sinks);
      services.renderings.stopWaiting(key, wait.rendering);
      const won = outcome.kind === 'won' ? { state: 'won' as const, stamp: outcome.stamp } : undefined;
      this.#renderAfterWait.set(slot, () => {
        services.reporter.count('renders', page.sinks);
        return this.#storingClaim(slot, key, won, write, wait);
      });
      renderHere();
      // A renderer claims again in the turn its wait came back empty; one that does not
      // lets the joined pages go, each to render its own.
      setImmediate(() => {
        if (!this.#renderAfterWait.delete(slot)) return;
        wait.reject(new Error(`the page that waited for "${key}" did not claim it again`));
        if (won !== undefined) this.#release(key, won);
      });
    });
    return { role: 'wait', on: 'fleet', rendering: served };
  }

  /** A shared claim whose rendering is stored under `key` and settles `settle`; a held lease is given back if it cannot be. */
  #storingClaim(
    slot: FragmentSlot,
    key: string,
    won: WonLease | undefined,
    write: ProcessFlight['write'],
    settle: Settle | undefined,
  ): RenderClaim {
    const { services, page } = this.#ctx;
    return renderClaim(this.#ctx, slot, true, {
      leased: won !== undefined,
      completed: (rendered) => {
        // `null`: some fragment nested in it could not be keyed, so nothing could tell when it changes.
        if (rendered.nested !== null) {
          const { ttlSeconds } = slot.planned;
          const stored = {
            html: rendered.html,
            nested: rendered.nested,
            renderMicros: rendered.renderMicros,
            expiresAt: expiryOf(ttlSeconds),
          };
          const value = encodeFragment(stored.html, stored.nested, stored.renderMicros, stored.expiresAt);
          write.landed = services.writes.queue([{ key, value, ttlSeconds }], page, stored);
        } else if (won !== undefined) {
          this.#release(key, won);
        }
        // Other processes poll for a leased rendering: its write (queued for the end of this
        // turn) leaves before the pages of this process that waited for it are answered, whose
        // work on a busy process would hold it up.
        if (won === undefined || settle === undefined) settle?.resolve(rendered);
        else setImmediate(() => settle?.resolve(rendered));
      },
      failed: (error) => {
        if (won !== undefined) this.#release(key, won);
        settle?.reject(error);
      },
    });
  }

  #release(key: string, lease: WonLease): void {
    const { runner, reporter } = this.#ctx.services;
    releaseLease(runner, reporter, key, lease.stamp, runner.timeoutMs);
  }
}
