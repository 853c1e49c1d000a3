import { describe, expect, it } from 'vitest';
import { contentsKey, versionKey } from '../src/keys';
import { ModelRegistry } from '../src/models/model-registry';

describe('the model registry', () => {
  it('gives an undeclared model a per-row counter, and a declared one its spec with defaults', () => {
    const models = new ModelRegistry('cs');
    models.declare('Article', { using: 'updatedAt' });
    expect(models.specOf('Comment')).toEqual({ using: undefined, counter: true, generation: false, within: [] });
    expect(models.declaredSpec('Comment')).toBeUndefined();
    expect(models.specOf('Article')).toEqual({ using: 'updatedAt', counter: false, generation: false, within: [] });
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
      spec: { using: undefined, counter: true, generation: true, within: [] },
      generationKey: 'ns:Vote:*',
      within: [],
      container: false,
    });
  });

  it('refuses a model name that is not a non-empty string, naming it', () => {
    const models = new ModelRegistry('cs');
    expect(() => models.declare('', {})).toThrow(/model name must be a non-empty string, got ""/);
    expect(() => models.declare(7 as never, {})).toThrow(/got 7/);
  });

  describe('"within"', () => {
    it('keeps the links sorted, compares them in redeclarations and names them in messages', () => {
      const models = new ModelRegistry('cs');
      models.declare('Comment', { within: { Thread: 'threadId', Article: 'articleId' } });
      expect(models.specOf('Comment').within).toEqual([
        ['Article', 'articleId'],
        ['Thread', 'threadId'],
      ]);
      expect(() => models.declare('Comment', { within: { Article: 'articleId', Thread: 'threadId' } })).not.toThrow();
      expect(() => models.declare('Comment', { within: { Article: 'postId' } })).toThrow(
        /cannot redeclare it as .*"within":\{"Article":"postId"\}/,
      );
    });

    it('refuses a malformed declaration, naming the model and the value', () => {
      const models = new ModelRegistry('cs');
      expect(() => models.declare('Comment', { within: ['Article'] as never })).toThrow(
        /Comment: "within" must map containing model names to attributes.*got Array \["Article"\]/,
      );
      expect(() => models.declare('Comment', { within: { Article: '' } })).toThrow(/got "Article": ""/);
      expect(() => models.declare('Comment', { within: { Comment: 'parentId' } })).toThrow(/of its own model/);
      expect(() =>
        models.declare('Comment', { using: 'updatedAt', counter: false, within: { Article: 'articleId' } }),
      ).toThrow(/"within" needs a counter on Comment/);
    });

    it('refuses, when a row is planned, a containing model without a counter or within another', () => {
      const models = new ModelRegistry('cs');
      models.declare('Comment', { within: { Article: 'articleId' } });
      models.declare('Article', { using: 'updatedAt' });
      expect(() => models.keysOf('Comment')).toThrow(/declare Article with \{ counter: true \}/);
      models.declare('Vote', { within: { Comment: 'commentId' } });
      expect(() => models.keysOf('Vote')).toThrow(
        /Comment, which is itself declared within Article; "within" goes one level deep/,
      );
    });

    it('tells the contents counters of containing rows apart from the other counters', () => {
      const models = new ModelRegistry('cs');
      expect(models.mayBeContentsKey('cs:Article:=7:&')).toBe(false);
      models.declare('Comment', { within: { Article: 'articleId' } });
      expect(models.mayBeContentsKey('cs:Article:=7:&')).toBe(true);
      expect(models.mayBeContentsKey('cs:Article:=7')).toBe(false);
      expect(models.mayBeContentsKey('cs:Comment:=7')).toBe(false);
      const long = `A${'x'.repeat(260)}`;
      expect(models.mayBeContentsKey(contentsKey('cs', long, 7))).toBe(true);
      expect(models.mayBeContentsKey(versionKey('cs', long, 7))).toBe(false);
      expect(models.keysOf('Article').container).toBe(true);
      expect(models.keysOf('Comment').container).toBe(false);
    });
  });
});
