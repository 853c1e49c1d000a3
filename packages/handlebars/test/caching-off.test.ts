import { describe, expect, it } from 'vitest';
import { renderCached } from '../src';
import { countingBackend, row, setup, uncachedHandlebars } from './support';

const source = `{{#cachesweeper article 60 "page" load=loadPage}}<h1>{{title}}</h1>
<ul>{{#each comments}}{{#cachesweeper this 60 "comment"}}<li>{{text}} #{{@index}}</li>{{/cachesweeper}}{{/each}}</ul>{{/cachesweeper}}`;

function pageContext(loads: { count: number }) {
  return {
    article: row('Article', 1),
    loadPage: async () => {
      loads.count++;
      return { title: 'A & B', comments: [row('Comment', 1, { text: 'one' }), row('Comment', 2, { text: '<two>' })] };
    },
  };
}

describe('a sweeper created with caching: false', () => {
  it('renders every block in place on each render, the same HTML, with no cache read or write', async () => {
    const { backend, calls } = countingBackend();
    const { handlebars, sweeper } = setup({ backend, sweeper: { caching: false } });
    const loads = { count: 0 };
    const page = handlebars.compile(source);
    const first = await renderCached(page, pageContext(loads));
    await sweeper.idle();
    const second = await renderCached(page, pageContext(loads));
    await sweeper.idle();

    const reference = uncachedHandlebars().compile(source.replace(' load=loadPage', ''));
    const data = await pageContext({ count: 0 }).loadPage();
    expect(first).toBe(reference({ ...data }));
    expect(second).toBe(first);
    expect(loads.count).toBe(2);
    expect(calls).toMatchObject({ get: 0, getMany: 0, set: 0, setMany: 0, add: 0, incr: 0 });
  });

  it('renders in a plain template(context) call even on an asynchronous backend', () => {
    const { backend } = countingBackend();
    const { handlebars } = setup({ backend, sweeper: { caching: false } });
    const page = handlebars.compile('{{#cachesweeper this 60 "c"}}<p>{{text}}</p>{{/cachesweeper}}');
    expect(page(row('Comment', 1, { text: 'plain' }))).toBe('<p>plain</p>');
  });
});
