import { describe, expect, it } from 'vitest';
import { resolveTarget, TARGET_META } from '../src';

class FakeModel {
  static primaryKeyAttributes = ['id'];
  constructor(readonly dataValues: Record<string, unknown>) {}
  get(name: string) {
    return this.dataValues[name];
  }
}
Object.defineProperty(FakeModel, 'name', { value: 'Article' });

class CompositeModel extends FakeModel {
  static override primaryKeyAttributes = ['tenant', 'slug'];
}
Object.defineProperty(CompositeModel, 'name', { value: 'Page' });

describe('targets', () => {
  it('read model, primary key and attributes from an ORM instance through get()', () => {
    const updatedAt = new Date(1_700_000_000_123);
    const target = resolveTarget(new FakeModel({ id: 7, updatedAt }));
    expect([target.model, target.id, target.attribute('updatedAt')]).toEqual(['Article', 7, updatedAt]);
    expect(target.hasAttribute('title')).toBe(false);
  });

  it('read a composite primary key as an array', () => {
    expect(resolveTarget(new CompositeModel({ tenant: 'acme', slug: 'home' })).id).toEqual(['acme', 'home']);
  });

  it('read plain data marked with TARGET_META, preferring the marked attributes', () => {
    const data = { id: 3, title: 'x', [TARGET_META]: { model: 'Comment', id: 3, attributes: { updatedAt: 5 } } };
    const target = resolveTarget(data);
    expect([target.model, target.id, target.attribute('updatedAt')]).toEqual(['Comment', 3, 5]);
  });

  it('read a plain reference with its attributes', () => {
    const target = resolveTarget({ model: 'Article', id: 'slug-1', updatedAt: 9 });
    expect([target.model, target.id, target.attribute('updatedAt')]).toEqual(['Article', 'slug-1', 9]);
  });

  it('refuse an unsaved row, naming the model', () => {
    expect(() => resolveTarget(new FakeModel({ title: 'draft' }))).toThrow(
      /\[cachesweeper\] \[targets\] Article row has no primary key .*unsaved/,
    );
    expect(() => resolveTarget({ model: 'Article', id: null })).toThrow(/no primary key/);
    expect(() => resolveTarget(new CompositeModel({ tenant: 'acme' }))).toThrow(/Page row has no primary key/);
  });

  it('refuse anything that is not an instance, marked data or a reference, naming the value', () => {
    for (const bad of [null, undefined, 7, 'Article', { id: 7 }, { title: 'plain row' }, [1, 2]]) {
      expect(() => resolveTarget(bad)).toThrow(/\[cachesweeper\] \[targets\] target .* is neither a model instance/);
    }
  });

  it('refuse a primary key that is an object', () => {
    expect(() => resolveTarget({ model: 'Article', id: { nested: 1 } })).toThrow(/primary key \{"nested":1\}/);
  });
});
