import type { Counter, Histogram, Meter } from '@opentelemetry/api';
import type { SweeperStats } from '../stats';

/** The counters of `stats()` that are also OpenTelemetry counters, by metric name. */
const COUNTERS = {
  hits: 'cachesweeper.hits',
  kept: 'cachesweeper.kept',
  misses: 'cachesweeper.misses',
  uncached: 'cachesweeper.uncached',
  renders: 'cachesweeper.renders',
  stores: 'cachesweeper.stores',
  invalidations: 'cachesweeper.invalidations',
  errors: 'cachesweeper.errors',
} as const satisfies Partial<Record<keyof SweeperStats, string>>;

const DESCRIPTIONS: Record<keyof typeof COUNTERS, string> = {
  hits: 'Fragments served from the cache',
  kept: 'Of the hits, fragments kept from an outdated copy of the block around them (their rows unchanged)',
  misses: 'Fragments looked up and not found',
  uncached: 'Fragments rendered without the cache (it failed, was late, or caching is off)',
  renders: 'Renders run for missed fragments',
  stores: 'Fragments written to the cache',
  invalidations: 'Rows (and models) invalidated',
  errors: 'Backend failures and missed deadlines',
};

/** Buckets of the duration histograms, in seconds: 0.1 ms to 2.5 s. */
const DURATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The instruments a sweeper records to, made once per meter. */
export class MetricInstruments {
  /** One counter per counted field of `stats()`. */
  readonly counters: Readonly<Partial<Record<keyof SweeperStats, Counter>>>;
  /** Backend round trips, by operation and outcome. */
  readonly roundTrips: Counter;
  /** How long each round trip took, by operation and outcome. */
  readonly roundDuration: Histogram;
  /** How long renders of missed fragments took. */
  readonly renderDuration: Histogram;
  /** The render time of the fragments served from the cache, as measured when each was rendered. */
  readonly renderTimeSaved: Counter;

  /** Creates the instruments on `meter`. */
  constructor(meter: Meter) {
    const counters: Partial<Record<keyof SweeperStats, Counter>> = {};
    for (const [field, name] of Object.entries(COUNTERS) as [keyof typeof COUNTERS, string][]) {
      counters[field] = meter.createCounter(name, { description: DESCRIPTIONS[field], unit: '{fragment}' });
    }
    this.counters = counters;
    this.roundTrips = meter.createCounter('cachesweeper.round_trips', {
      description: 'Sequential waits on the backend (a batch of parallel calls counts once)',
      unit: '{round_trip}',
    });
    const durations = { unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS } };
    this.roundDuration = meter.createHistogram('cachesweeper.round_trip.duration', {
      description: 'Duration of a backend round trip',
      ...durations,
    });
    this.renderDuration = meter.createHistogram('cachesweeper.render.duration', {
      description: 'Duration of a missed fragment render, its loader and nested blocks included',
      ...durations,
    });
    this.renderTimeSaved = meter.createCounter('cachesweeper.render_time_saved', {
      description: 'Render time of the fragments served from the cache, as measured when they were rendered',
      unit: 's',
    });
  }
}
