import { describe, expect, it } from 'vitest';
import { ModelRegistry } from '../src/models/model-registry';

describe('the model registry', () => {
  it('gives an undeclared model a per-row counter, and a declared one its spec with defaults', () => {
    const models = new ModelRegistry('cs');
    models.declare('Article', { using: 'updatedAt' });
    expect(models.specOf('Comment')).toEqual({ using: undefined, counter: true, generation: false });
    expect(models.declaredSpec('Comment')).toBeUndefined();
    expect(models.specOf('Article')).toEqual({ using: 'updatedAt', counter: false, generation: false });
  });

  it('accepts the same declaration twice and refuses a different one, naming both', () => {
    const models = new ModelRegistry('cs');
    models.declare('Article', { using: 'updatedAt' });
    expect(() => models.declare('Article', { using: 'updatedAt', counter: false })).not.toThrow();
    expect(() => models.declare('Article', { using: 'updatedAt', counter: true })).toThrow(
      /model Article is already declared as \{"using":"updatedAt","counter":false,"generation":false\}; cannot redeclare it as \{"using":"updatedAt","counter":true/,
    );
  });

  it('works out a generation key only for models that keep one, and forgets it when redeclared', () => {
    const models = new ModelRegistry('ns');
    expect(models.keysOf('Vote').generationKey).toBeUndefined();
    models.declare('Vote', { generation: true });
    expect(models.keysOf('Vote')).toEqual({
      spec: { using: undefined, counter: true, generation: true },
      generationKey: 'ns:Vote:*',
    });
  });

  it('refuses a model name that is not a non-empty string, naming it', () => {
    const models = new ModelRegistry('cs');
    expect(() => models.declare('', {})).toThrow(/model name must be a non-empty string, got ""/);
    expect(() => models.declare(7 as never, {})).toThrow(/got 7/);
  });
});
