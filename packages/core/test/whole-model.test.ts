import { describe, expect, it } from 'vitest';
import { createSweeper, modelCounterKey } from '../src';

const categories = { model: 'Category' };

function sweeperWithCategories() {
  return createSweeper({ models: { Category: { generation: true }, Tag: { using: 'updatedAt', generation: true } } });
}

function counted() {
  let renders = 0;
  return { render: () => `all categories, render ${++renders}`, renders: () => renders };
}

describe('a fragment about a whole model ({ model })', () => {
  it('is served from the cache until a row of the model is invalidated', async () => {
    const sweeper = sweeperWithCategories();
    const { render, renders } = counted();
    await sweeper.fragment(categories, 60, ['nav'], render);
    await sweeper.idle();
    expect(await sweeper.fragment(categories, 60, ['nav'], render)).toBe('all categories, render 1');
    await sweeper.invalidate({ model: 'Category', id: 7 });
    expect(await sweeper.fragment(categories, 60, ['nav'], render)).toBe('all categories, render 2');
    expect(renders()).toBe(2);
  });

  it('is invalidated by invalidateModel (bulk writes) and by invalidating the whole model itself', async () => {
    const sweeper = sweeperWithCategories();
    const { render } = counted();
    await sweeper.fragment(categories, 60, [], render);
    await sweeper.idle();
    await sweeper.invalidateModel('Category');
    expect(await sweeper.fragment(categories, 60, [], render)).toBe('all categories, render 2');
    await sweeper.idle();
    expect(await sweeper.invalidate(categories)).toEqual({ landed: true, keys: [modelCounterKey('cs', 'Category')] });
    expect(await sweeper.fragment(categories, 60, [], render)).toBe('all categories, render 3');
  });

  it("keeps the rows' own fragments, and other models' whole-model fragments, when one row changes", async () => {
    const sweeper = sweeperWithCategories();
    const row = { model: 'Category', id: 1 };
    await sweeper.fragment(row, 60, [], () => 'row 1');
    await sweeper.fragment({ model: 'Tag' }, 60, [], () => 'all tags');
    await sweeper.idle();
    await sweeper.invalidate({ model: 'Category', id: 2 });
    expect(await sweeper.fragment(row, 60, [], () => 'rendered again')).toBe('row 1');
    expect(await sweeper.fragment({ model: 'Tag' }, 60, [], () => 'rendered again')).toBe('all tags');
  });

  it('is invalidated by a row keyed by its attribute alone, invalidated with using', async () => {
    const sweeper = sweeperWithCategories();
    await sweeper.fragment({ model: 'Tag' }, 60, [], () => 'old tags');
    await sweeper.idle();
    const tag = { model: 'Tag', id: 3, updatedAt: new Date(5) };
    expect((await sweeper.invalidate(tag, { using: 'updatedAt' })).keys).toEqual([modelCounterKey('cs', 'Tag')]);
    expect(await sweeper.fragment({ model: 'Tag' }, 60, [], () => 'new tags')).toBe('new tags');
  });

  it('makes an outer fragment that nests it miss when a row of the model changes', () => {
    const sweeper = sweeperWithCategories();
    let outer = 0;
    const page = () =>
      sweeper.fragmentSync({ model: 'Page', id: 1 }, 60, [], () => {
        outer++;
        return `<nav>${sweeper.fragmentSync(categories, 60, [], () => 'categories')}</nav>`;
      });
    page();
    page(); // stored once the counters it nests were read, not created, by the page
    const warm = outer;
    page();
    expect(outer).toBe(warm);
    void sweeper.invalidate({ model: 'Category', id: 9 });
    page();
    expect(outer).toBe(warm + 1);
  });

  it('is refused, saying what to declare, for a model without a generation', async () => {
    const sweeper = createSweeper();
    expect(() => sweeper.fragment({ model: 'Category' }, 60, [], () => 'x')).toThrow(
      /\{ model: "Category" \} stands for the whole model, .*declare Category with \{ generation: true \}/,
    );
    expect(() => sweeper.invalidate({ model: 'Category' })).toThrow(/declare Category with \{ generation: true \}/);
  });

  it('needs exactly { model }: a reference with a misspelt id is refused, not taken for the whole model', () => {
    const sweeper = sweeperWithCategories();
    expect(() => sweeper.plan({ target: { model: 'Category', ID: 3 }, ttlSeconds: 60 })).toThrow(
      /is neither a model instance, .* nor a whole model \{ model: "Name" \}/,
    );
  });
});
