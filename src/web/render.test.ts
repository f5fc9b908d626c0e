import fc from 'fast-check';
import { h } from 'preact';
import { render } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { compileTemplate, fillTemplate, slot } from './render.js';

// A slot filled at serve time must read exactly as the value rendered in its place: in text, in
// an attribute, and URI-encoded inside an attribute.
const Page = ({ back }: { back: string }) =>
  h('main', null, [
    h('input', { type: 'hidden', name: 'back', value: back }),
    h('a', { href: `/cookies?back=${encodeURIComponent(back)}` }, 'Choose'),
    h('p', null, back),
  ]);

const filled = (back: string) =>
  fillTemplate(compileTemplate(render(Page({ back: slot('back') }))), { back }).toString();

describe('page templates', () => {
  it.each([
    '/',
    '/about?x=1&y="2"',
    '"><script>alert(1)</script>',
    "&amp; &lt; < > ' `",
    '/ünïcødé/😀?q=%41',
  ])('fill %j as a fresh render would', (back) => {
    expect(filled(back)).toBe(render(Page({ back })));
  });

  it('fills any text as a fresh render would', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }), (back) => {
        expect(filled(back)).toBe(render(Page({ back })));
      }),
    );
  });

  it('writes an empty value as an empty attribute, which HTML reads as Preact’s bare one', () => {
    expect(filled('')).toBe(render(Page({ back: '' })).replace('value/>', 'value=""/>'));
  });

  it('refuses a page whose slot has no value, rather than sending the marker', () => {
    const template = compileTemplate(render(Page({ back: slot('back') })));
    expect(() => fillTemplate(template, {})).toThrow(/no value for the slot "back"/);
  });

  it('keeps a page without slots as one buffer', () => {
    const template = compileTemplate('<p>static</p>');
    expect(fillTemplate(template, {})).toEqual(Buffer.from('<p>static</p>'));
  });
});
