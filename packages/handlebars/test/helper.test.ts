import { CacheSweeperError, createSweeper, TARGET_META } from '@cachesweeper/core';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { registerCacheSweeper, renderCached } from '../src';
import { brokenBackend, row, setup, uncachedHandlebars } from './support';

describe('registerCacheSweeper', () => {
  it('registers the helper on the instance given, not on the global Handlebars', () => {
    const { handlebars } = setup();
    expect(handlebars.helpers.cachesweeper).toBeTypeOf('function');
    expect(Handlebars.helpers.cachesweeper).toBeUndefined();
  });

  it('refuses to register twice on one instance', () => {
    const { handlebars } = setup();
    expect(() => registerCacheSweeper(handlebars, createSweeper())).toThrow(
      /already has the \{\{#cachesweeper\}\} helper/,
    );
  });

  it('refuses something that is not a Handlebars instance, naming it', () => {
    expect(() => registerCacheSweeper({} as never, createSweeper())).toThrow(
      /\[cachesweeper\] \[handlebars\] registerCacheSweeper: first argument must be a Handlebars instance/,
    );
  });

  it('refuses something that is not a sweeper, naming it', () => {
    expect(() => registerCacheSweeper(Handlebars.create(), { plan: 1 } as never)).toThrow(
      /second argument must be a Sweeper \(createSweeper\(\)\), got \{"plan":1\}/,
    );
  });

  it('unregister removes the helper and restores compile', () => {
    const handlebars = Handlebars.create();
    const compile = handlebars.compile;
    const registration = registerCacheSweeper(handlebars, createSweeper());
    registration.unregister();
    expect(handlebars.helpers.cachesweeper).toBeUndefined();
    expect(handlebars.compile).toBe(compile);
    expect(() => registerCacheSweeper(handlebars, createSweeper())).not.toThrow();
  });

  it('registers under another name when asked', async () => {
    const { handlebars } = setup({ register: { helperName: 'cache' } });
    const template = handlebars.compile('{{#cache this 60}}{{name}}{{/cache}}');
    expect(await renderCached(template, row('A', 1, { name: 'x' }))).toBe('x');
  });
});

describe('bad arguments', () => {
  const render = (source: string, context: unknown = {}, srcName?: string) => {
    const { handlebars } = setup();
    return renderCached(handlebars.compile(source, (srcName ? { srcName } : {}) as object), context);
  };

  it('an undefined target names the line, the column and the value', async () => {
    await expect(render('<p>\n  {{#cachesweeper artcle 60}}x{{/cachesweeper}}', {}, 'article.hbs')).rejects.toThrow(
      /\[cachesweeper\] \[handlebars\] \{\{#cachesweeper\}\} at line 2, column 3 of "article.hbs": target undefined is neither/,
    );
  });

  it('a missing TTL is refused with the expected form', async () => {
    await expect(render('{{#cachesweeper this}}x{{/cachesweeper}}', row('A', 1))).rejects.toThrow(
      /at line 1, column 1: needs a target and a TTL in seconds, as in \{\{#cachesweeper comment 600 "comment"\}\}; got 1 argument/,
    );
  });

  it('a TTL that is not a whole number names the value', async () => {
    await expect(render('{{#cachesweeper this "600"}}x{{/cachesweeper}}', row('A', 1))).rejects.toThrow(
      /TTL of A#1 must be a whole number of seconds >= 0, got "600"/,
    );
  });

  it('a key part that is an object names the value', async () => {
    await expect(
      render('{{#cachesweeper this 60 other}}x{{/cachesweeper}}', row('A', 1, { other: { a: 1 } })),
    ).rejects.toThrow(/at line 1, column 1: key part \{"a":1\} must be a string/);
  });

  it('an unsaved row (no primary key) is refused', async () => {
    await expect(render('{{#cachesweeper this 60}}x{{/cachesweeper}}', { model: 'A', id: null })).rejects.toThrow(
      /A row has no primary key/,
    );
  });

  it('an unknown option is refused, naming it', async () => {
    await expect(render('{{#cachesweeper this 60 lod=x}}x{{/cachesweeper}}', row('A', 1, { x: 1 }))).rejects.toThrow(
      /unknown option lod=1; the options are load= and digest=/,
    );
  });

  it('load= naming no registered loader is refused', async () => {
    await expect(render('{{#cachesweeper this 60 load="page"}}x{{/cachesweeper}}', row('A', 1))).rejects.toThrow(
      /load="page" names no loader; registered loaders: none/,
    );
  });

  it('load= that is neither a function nor a name is refused', async () => {
    await expect(render('{{#cachesweeper this 60 load=7}}x{{/cachesweeper}}', row('A', 1))).rejects.toThrow(
      /load= must be a function \(from the context\) or the name of a registered loader, got 7/,
    );
  });

  it('used as a plain mustache it says it is a block helper', async () => {
    await expect(render('{{cachesweeper this 60}}', row('A', 1))).rejects.toThrow(/is a block helper/);
  });

  it('an {{else}} section is refused when compiling, with its line', () => {
    const { handlebars } = setup();
    expect(() => handlebars.compile('\n{{#cachesweeper this 60}}a{{else}}b{{/cachesweeper}}')).toThrow(
      /at line 2, column 1: a cached block takes no \{\{else\}\} section/,
    );
  });

  it('a template compiled before registering is refused, as it carries no digest', async () => {
    const handlebars = Handlebars.create();
    const template = handlebars.compile('{{#cachesweeper this 60}}x{{/cachesweeper}}');
    registerCacheSweeper(handlebars, createSweeper());
    await expect(renderCached(template, row('A', 1))).rejects.toThrow(/was compiled without its template digest/);
  });

  it('renderCached refuses something that is not a template', async () => {
    await expect(renderCached('{{x}}' as never, {})).rejects.toThrow(/template must be a compiled template/);
  });
});

describe('targets', () => {
  it('accepts plain data marked with TARGET_META, a ref, and a model instance', async () => {
    const { handlebars } = setup();
    class Article {
      static primaryKeyAttributes = ['id'];
      get(name: string) {
        return name === 'id' ? 9 : undefined;
      }
    }
    const marked = { title: 'Hello', [TARGET_META]: { model: 'Article', id: 3 } };
    const template = handlebars.compile(
      '{{#cachesweeper marked 60}}{{title}}{{/cachesweeper}}|{{#cachesweeper ref 60}}r{{/cachesweeper}}|{{#cachesweeper instance 60}}i{{/cachesweeper}}',
    );
    const context = { marked, ref: { model: 'Article', id: 4 }, instance: new Article(), title: 'Hello' };
    expect(await renderCached(template, context)).toBe('Hello|r|i');
  });
});

describe('plain template(context) calls', () => {
  it('cache in place with a synchronous backend', () => {
    const { handlebars, sweeper } = setup();
    const template = handlebars.compile('{{#cachesweeper this 60}}{{name}}{{/cachesweeper}}');
    const target = row('A', 1, { name: 'first' });
    expect(template(target)).toBe('first');
    expect(template({ ...target, name: 'changed' })).toBe('first');
    expect(sweeper.stats()).toMatchObject({ hits: 1, misses: 1, stores: 1 });
  });

  it('render again after an invalidation', async () => {
    const { handlebars, sweeper } = setup();
    const template = handlebars.compile('{{#cachesweeper this 60}}{{name}}{{/cachesweeper}}');
    expect(template(row('A', 1, { name: 'first' }))).toBe('first');
    await sweeper.invalidate(row('A', 1));
    expect(template(row('A', 1, { name: 'second' }))).toBe('second');
  });

  it('run a synchronous loader on a miss only', () => {
    const { handlebars } = setup();
    let loads = 0;
    const template = handlebars.compile('{{#cachesweeper this 60 load=load}}{{title}}{{/cachesweeper}}');
    const context = row('A', 1, { load: () => ({ title: `loaded ${++loads}` }) });
    expect(template(context)).toBe('loaded 1');
    expect(template(context)).toBe('loaded 1');
    expect(loads).toBe(1);
  });

  it('refuse a loader that returns a promise, saying to use renderCached', () => {
    const { handlebars } = setup();
    const template = handlebars.compile('{{#cachesweeper this 60 load=load}}x{{/cachesweeper}}');
    expect(() => template(row('A', 1, { load: async () => ({}) }))).toThrow(
      /its loader returned a promise, which a plain template\(context\) call cannot wait for; render with renderCached\(\)/,
    );
  });

  it('with an asynchronous backend fail with a clear error naming renderCached and the engine', () => {
    const { handlebars } = setup({ backend: brokenBackend('hang') });
    const template = handlebars.compile('{{#cachesweeper this 60}}x{{/cachesweeper}}');
    expect(() => template(row('A', 1))).toThrow(CacheSweeperError);
    expect(() => template(row('A', 1))).toThrow(
      /the broken-hang backend is asynchronous, so a plain template\(context\) call cannot wait for it; render with renderCached\(template, context\) or the express-handlebars engine/,
    );
  });
});

describe('compile options', () => {
  it('templates compiled with knownHelpersOnly work when the helper is declared known', async () => {
    const { handlebars } = setup();
    const partial = '{{#cachesweeper this 60}}{{name}}{{/cachesweeper}}\n';
    const source = '<ul>\n  {{> row}}\n  {{#> row}}x{{/row}}\n</ul>';
    const options = { knownHelpersOnly: true, knownHelpers: { cachesweeper: true } };
    handlebars.registerPartial('row', partial);
    const expected = uncachedHandlebars({ row: partial }).compile(source, options)(row('A', 1, { name: 'a' }));
    expect(await renderCached(handlebars.compile(source, options), row('A', 1, { name: 'a' }))).toBe(expected);
  });
});
