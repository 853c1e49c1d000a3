import { createStats, createSweeper } from '@cachesweeper/core';
import Handlebars from 'handlebars';
import { expect, it } from 'vitest';
import { registerCacheSweeper, renderCached } from '../src';

it('smoke', async () => {
  const hb = Handlebars.create();
  const sweeper = createSweeper();
  registerCacheSweeper(hb, sweeper);
  hb.registerPartial('c', '<li>{{#cachesweeper this 60 "c"}}{{name}} #{{@index}}{{/cachesweeper}}</li>\n');
  const t = hb.compile('<h1>{{title}}</h1>\n<ul>\n{{#each items}}\n  {{> c}}\n{{/each}}\n</ul>');
  const ctx = {
    title: 'T<>',
    items: [
      { model: 'I', id: 1, name: 'a&b' },
      { model: 'I', id: 2, name: 'b' },
    ],
  };
  const stats = createStats();
  const cold = await renderCached(t, ctx, { stats });
  await sweeper.idle();
  const stats2 = createStats();
  const warm = await renderCached(t, ctx, { stats: stats2 });
  const plain = Handlebars.create();
  plain.registerHelper('cachesweeper', function (this: unknown, ...args: any[]) {
    return args.pop().fn(this);
  });
  plain.registerPartial('c', '<li>{{#cachesweeper this 60 "c"}}{{name}} #{{@index}}{{/cachesweeper}}</li>\n');
  const ref = plain.compile('<h1>{{title}}</h1>\n<ul>\n{{#each items}}\n  {{> c}}\n{{/each}}\n</ul>')(ctx);
  console.log(JSON.stringify(ref), stats, stats2);
  expect(cold).toBe(ref);
  expect(warm).toBe(ref);
  expect(t(ctx)).toBe(ref);
});
