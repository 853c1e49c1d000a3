import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeldFragmentBytes, type PageBody, renderCached } from '../src';
import { setup } from './support';

// Large enough to stand as a marker; non-ASCII, so bytes and characters differ.
const LONG = `é€😀 ${'<p>comment</p>'.repeat(1500)} ü`;
const VIEW =
  '\n  {{#cachesweeper a 60}}\n  {{text}} {{/cachesweeper}} between {{#cachesweeper b 60}}{{text}}\n{{/cachesweeper}}\n';

async function page(
  layoutSource: string,
  options: { register?: Record<string, unknown>; partials?: Record<string, string> } = {},
) {
  const { handlebars, sweeper } = setup();
  for (const [name, helper] of Object.entries(options.register ?? {})) handlebars.registerHelper(name, helper as never);
  for (const [name, source] of Object.entries(options.partials ?? {})) handlebars.registerPartial(name, source);
  const view = handlebars.compile(VIEW);
  const layout = handlebars.compile(layoutSource);
  const held = new HeldFragmentBytes();
  const context = { a: { model: 'A', id: 1 }, b: { model: 'B', id: 1 }, text: LONG, title: 'T' };
  const asString = async () => {
    const body = await renderCached(view, context, { trim: true });
    return renderCached(layout, { ...context, body }, { trim: true });
  };
  const asBytes = async () => {
    const bytes = held.page();
    const body = await renderCached(view, context, { trim: true, bytes });
    const html = await renderCached(layout, { ...context, body }, { trim: true, bytes });
    const sent = bytes.toBody(html);
    return { html, buffer: sent.toBuffer(), body: sent };
  };
  /** The page warm (rendered and stored once), as bytes, and the string page it must equal. */
  const warm = async () => {
    await asBytes();
    await sweeper.idle();
    const { html, buffer } = await asBytes();
    return { html, text: buffer.toString(), expected: await asString() };
  };
  return { sweeper, held, asString, asBytes, warm };
}

describe('PageBytes: a page written from its fragments held bytes', () => {
  it('gives the bytes of the string page, cold and warm, with blocks at the ends of the view', async () => {
    const { sweeper, held, asString, asBytes } = await page('<main>{{{body}}}</main>\n');
    const cold = await asBytes();
    await sweeper.idle();
    const expected = Buffer.from(await asString());
    expect(cold.buffer.equals(expected)).toBe(true);
    const warm = await asBytes();
    expect(warm.buffer.equals(expected)).toBe(true);
    // The page's string holds markers, not the fragments.
    expect(warm.html.length).toBeLessThan(LONG.length);
    expect(held.size).toBeGreaterThan(2 * LONG.length);
  });

  it('hands the held bytes over as pieces, not copied, and refuses to become JSON', async () => {
    const { sweeper, asBytes } = await page('<main>{{{body}}}</main>\n');
    await asBytes();
    await sweeper.idle();
    const first = await asBytes();
    const second = await asBytes();
    expect(second.body.pieces.length).toBeGreaterThan(2);
    // The two fragments' bytes are the same objects on both pages: held, not encoded again.
    const large = (body: PageBody) => body.pieces.filter((piece) => piece.length > LONG.length);
    expect(large(second.body)).toHaveLength(2);
    large(second.body).forEach((piece, index) => {
      expect(piece).toBe(large(first.body)[index]);
    });
    expect(second.body.etag).toBe(first.body.etag);
    expect(second.body.length).toBe(second.buffer.length);
    expect(() => JSON.stringify(second.body)).toThrow(
      /^\[cachesweeper\] \[handlebars\] PageBody: send a page rendered as bytes with sendPage\(res, page\)/,
    );
  });

  it('reuses the bytes of a cached value it encoded before, and encodes another value again', () => {
    const held = new HeldFragmentBytes();
    const source = `|${LONG}`;
    const first = held.encoded('k', source, 1, source.length);
    expect(held.encoded('k', source, 1, source.length).bytes).toBe(first.bytes);
    expect(held.encoded('k', source, 1, source.length).digest).toBe(first.digest);
    expect(held.encoded('k', source, 2, source.length).bytes).not.toBe(first.bytes);
    const other = `|${LONG.replace('ü', 'ö')}`;
    expect(held.encoded('k', other, 1, other.length).bytes.toString()).toBe(other.slice(1));
  });

  it('keeps at most maxBytes, dropping the least recently used', () => {
    // Each costs its 30 bytes and the 30 characters they came from: the second pushes the first out.
    const held = new HeldFragmentBytes({ maxBytes: 100 });
    const first = held.encoded('a', 'x'.repeat(30), 0, 30);
    expect(held.size).toBe(60);
    held.encoded('b', 'y'.repeat(30), 0, 30);
    expect(held.size).toBe(60);
    expect(held.encoded('a', 'x'.repeat(30), 0, 30).bytes).not.toBe(first.bytes);
    // Larger than the whole budget: encoded, not kept.
    held.encoded('c', 'z'.repeat(200), 0, 200);
    expect(held.size).toBe(60);
  });

  it('refuses bad settings, naming the package, the component and the value', () => {
    expect(() => new HeldFragmentBytes(5 as never)).toThrow(
      /^\[cachesweeper\] \[handlebars\] HeldFragmentBytes: options must be an object \(\{ maxBytes \}\), got 5/,
    );
    expect(() => new HeldFragmentBytes({ maxBytes: 1.5 })).toThrow(
      /maxBytes must be a whole number of bytes >= 0, got 1.5/,
    );
    expect(() => new HeldFragmentBytes({ maxBytes: -1 })).toThrow(
      /^\[cachesweeper\] \[handlebars\] HeldFragmentBytes: maxBytes must be a whole number of bytes >= 0, got -1/,
    );
  });

  const layouts: [string, string, Parameters<typeof page>[1]?][] = [
    ['escapes the body', '<main>{{body}}</main>'],
    [
      'passes it to a helper',
      '<main>{{{shout body}}}</main>',
      { register: { shout: (text: string) => text.toUpperCase() } },
    ],
    ['inserts it in a block', '{{#if title}}<main>{{{body}}}</main>{{/if}}'],
    ['inserts it twice', '{{{body}}}<hr>{{{body}}}'],
    [
      'reads it in a helper through this',
      '{{{body}}}<i>{{size}}</i>',
      {
        register: {
          size(this: { body: string }) {
            return this.body.length;
          },
        },
      },
    ],
    ['reads it in a partial', '{{{body}}}{{> foot}}', { partials: { foot: '<i>{{body.length}}</i>' } }],
    ['reads it through @root in a block', '{{{body}}}{{#with title}}{{@root.body.length}}{{/with}}'],
    ['names it to lookup', '{{{body}}}{{lookup this "body"}}'],
  ];
  for (const [what, source, options] of layouts) {
    it(`renders a layout that ${what} with the real body`, async () => {
      const { html, text, expected } = await (await page(source, options)).warm();
      expect(text).toBe(expected);
      // No marker was kept: the layout got the page's fragments.
      expect(html.length).toBeGreaterThan(LONG.length);
    });
  }

  it('keeps the markers of a layout whose helpers read other names', async () => {
    const register = {
      shout: (text: string) => text.toUpperCase(),
      named(this: { title: string }) {
        return this.title;
      },
    };
    const layout = '<h1>{{shout title}} {{named}}</h1>{{#if title}}<p>{{title}}</p>{{/if}}{{{body}}}';
    const { html, text, expected } = await (await page(layout, { register })).warm();
    expect(text).toBe(expected);
    expect(html.length).toBeLessThan(LONG.length);
  });

  it("marks a layout's own cached blocks too", async () => {
    const { html, text, expected } = await (
      await page('{{{body}}}{{#cachesweeper b 60}}{{text}}{{/cachesweeper}}')
    ).warm();
    expect(text).toBe(expected);
    expect(html.length).toBeLessThan(LONG.length);
  });
});

// Every kind of character String#trim removes, and some it keeps, at the edges of large blocks.
const EDGE = fc
  .array(fc.constantFrom(' ', '\t', '\n', '\u00a0', '\u2028', '\ufeff', 'a', 'é', '😀'), { maxLength: 4 })
  .map((parts) => parts.join(''));

describe('PageBytes against the string page, for any edges', () => {
  it('writes the bytes of the page the string render gives, trimmed or not, cold and warm', async () => {
    const { handlebars, sweeper } = setup();
    const template = handlebars.compile(
      '{{lead}}{{#cachesweeper a 60}}{{{x}}}{{/cachesweeper}}{{mid}}{{#cachesweeper b 60}}{{{y}}}{{/cachesweeper}}{{tail}}',
    );
    const big = 'é'.repeat(17_000);
    let id = 0;
    await fc.assert(
      fc.asyncProperty(
        EDGE,
        EDGE,
        EDGE,
        EDGE,
        EDGE,
        EDGE,
        EDGE,
        fc.boolean(),
        async (lead, x0, x1, mid, y0, tail, y1, trim) => {
          id++;
          const context = {
            a: { model: 'A', id },
            b: { model: 'B', id },
            lead,
            mid,
            tail,
            x: `${x0}${big}${x1}`,
            y: `${y0}${big}${y1}`,
          };
          for (const round of ['cold', 'warm']) {
            const expected = await renderCached(template, context, { trim });
            const bytes = new HeldFragmentBytes().page();
            const html = await renderCached(template, context, { trim, bytes });
            expect(bytes.count, round).toBe(2);
            expect(bytes.toBuffer(html).toString(), round).toBe(expected);
            expect(bytes.expand(html), round).toBe(expected);
            await sweeper.idle();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
