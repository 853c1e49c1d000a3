import { CacheSweeperError } from '@cachesweeper/core';
import { DataTypes, Sequelize } from 'sequelize';
import { afterAll, describe, expect, it } from 'vitest';
import { renderCached } from '../src';
import { countingBackend, row, setup } from './support';

const sequelize = new Sequelize('sqlite::memory:', { logging: false });
const Comment = sequelize.define('Comment', { text: DataTypes.STRING });
afterAll(() => sequelize.close());

/** Unsaved instances are enough: Handlebars refuses their prototype getters all the same. */
const comments = () => [Comment.build({ id: 1, text: 'one' }), Comment.build({ id: 2, text: 'two' })];

describe('a Sequelize instance where a block expects template data', () => {
  it('from a loader is refused, naming the block and toTemplateData, and nothing is cached', async () => {
    const { backend, calls } = countingBackend();
    const { handlebars, sweeper } = setup({ backend });
    const page = handlebars.compile(
      '<ul>\n{{#cachesweeper article 60 "list" load=loadComments}}{{#each comments}}<li>{{text}}</li>{{/each}}{{/cachesweeper}}</ul>',
      { srcName: 'list.hbs' } as object,
    );
    const render = renderCached(page, {
      article: row('Article', 1),
      loadComments: async () => ({ comments: comments() }),
    });
    await expect(render).rejects.toBeInstanceOf(CacheSweeperError);
    await expect(render).rejects.toThrow(
      /\{\{#cachesweeper\}\} at line 2, column 1 of "list\.hbs": what its loader returned\.comments\[0\] is a Sequelize instance \(Comment\), .*toTemplateData/,
    );
    await sweeper.idle();
    expect(calls.setMany + calls.set).toBe(0);
  });

  it('as the block context (each over instances) is refused too', async () => {
    const { handlebars } = setup();
    const page = handlebars.compile(
      '{{#each comments}}{{#cachesweeper this 60 "c"}}<li>{{text}}</li>{{/cachesweeper}}{{/each}}',
    );
    await expect(renderCached(page, { comments: comments() })).rejects.toThrow(
      /its context \(this\) is a Sequelize instance \(Comment\)/,
    );
  });

  it('renders when the render allows prototype access, as Handlebars then reads the attributes', async () => {
    const { handlebars } = setup();
    const page = handlebars.compile(
      '{{#each comments}}{{#cachesweeper this 60 "c"}}<li>{{text}}</li>{{/cachesweeper}}{{/each}}',
    );
    const html = await renderCached(page, { comments: comments() }, { allowProtoPropertiesByDefault: true });
    expect(html).toBe('<li>one</li><li>two</li>');
  });

  it('leaves plain data alone, arrays and objects included', async () => {
    const { handlebars } = setup();
    const page = handlebars.compile(
      '{{#cachesweeper article 60 "p" load=load}}{{#each comments}}{{text}}{{/each}}{{/cachesweeper}}',
    );
    const plain = comments().map((comment) => comment.get({ plain: true }));
    expect(await renderCached(page, { article: row('Article', 1), load: () => ({ comments: plain }) })).toBe('onetwo');
  });
});
