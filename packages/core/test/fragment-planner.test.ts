import { describe, expect, it } from 'vitest';
import { completeFragmentKey, createSweeper, fragmentKey, versionKey } from '../src';
import { FragmentPlanner } from '../src/fragments/fragment-planner';
import { ModelRegistry } from '../src/models/model-registry';

const comment = { model: 'Comment', id: 7 };

describe('the fragment planner', () => {
  it('quotes keys with the production key builder: a stored fragment lives at fragmentKey()', async () => {
    const sweeper = createSweeper();
    await sweeper.fragment(comment, 60, ['comment', 3], () => '<c>', { digest: 'd1' });
    await sweeper.idle();
    const counter = await sweeper.backend.get(versionKey('cs', 'Comment', 7));
    const key = fragmentKey('cs', {
      model: 'Comment',
      id: 7,
      token: `c${counter}`,
      digest: 'd1',
      parts: ['comment', 3],
    });
    expect(await sweeper.backend.get(key)).toMatch(/^@\d+\|<c>$/); // its expiry (TTL 60), then the HTML
  });

  it('plans the counter key of the row and keeps the key quoted but for its token', () => {
    const planner = new FragmentPlanner('cs', new ModelRegistry('cs'), 0);
    const planned = planner.plan({ target: comment, ttlSeconds: 60, parts: ['a:b'] });
    expect(planned.plan).toEqual({ counterKey: 'cs:Comment:=7', generationKey: undefined, attributePart: undefined });
    expect(completeFragmentKey('cs', planned.quoted, 'c5')).toBe(
      fragmentKey('cs', { model: 'Comment', id: 7, token: 'c5', digest: '', parts: ['a:b'] }),
    );
  });

  it('plans an attribute token from the row itself and a generation key when the model keeps one', () => {
    const models = new ModelRegistry('cs');
    models.declare('Article', { using: 'updatedAt', generation: true });
    const planner = new FragmentPlanner('cs', models, 0);
    const planned = planner.plan({ target: { model: 'Article', id: 1, updatedAt: new Date(5) }, ttlSeconds: 0 });
    expect(planned.plan).toEqual({ counterKey: undefined, generationKey: 'cs:Article:*', attributePart: '@5' });
  });

  it('never lets a fragment outlive the version keys it is keyed on', () => {
    const planner = new FragmentPlanner('cs', new ModelRegistry('cs'), 600);
    expect(planner.plan({ target: comment, ttlSeconds: 3600 }).ttlSeconds).toBe(600);
    expect(planner.plan({ target: comment, ttlSeconds: 0 }).ttlSeconds).toBe(600);
    expect(planner.plan({ target: comment, ttlSeconds: 60 }).ttlSeconds).toBe(60);
  });

  it('refuses a bad TTL, parts that are not an array and a digest that is not a string, naming the value', () => {
    const planner = new FragmentPlanner('cs', new ModelRegistry('cs'), 0);
    expect(() => planner.plan({ target: comment, ttlSeconds: 1.5 })).toThrow(
      /TTL of Comment#7 must be a whole number of seconds >= 0, got 1.5/,
    );
    expect(() => planner.plan({ target: comment, ttlSeconds: 1, parts: 'x' as never })).toThrow(
      /key parts of Comment#7 must be an array, got "x"/,
    );
    expect(() => planner.plan({ target: comment, ttlSeconds: 1, digest: 3 as never })).toThrow(
      /digest of Comment#7 must be a string, got 3/,
    );
    expect(() => planner.plan(null as never)).toThrow(/fragment request must be an object, got null/);
  });
});
