import { describe, expect, it } from 'vitest';
import { parseXml } from './xml-check.js';

// The checker the drawing tests rely on must itself refuse broken XML.
describe('the tiny XML check used by the drawing tests', () => {
  it('accepts a well-formed document and decodes entities', () => {
    const root = parseXml('<a x="1 &amp; &lt;2&gt;"><b y=\'&quot;\'/>t &#60; &#x3e;</a>');
    expect(root.attributes.x).toBe('1 & <2>');
    expect(root.children[0]?.attributes.y).toBe('"');
    expect(root.text).toBe('t < >');
  });

  it.each([
    ['<a><b></a></b>', 'closes'],
    ['<a>', 'not closed'],
    ['<a x="1" x="2"/>', 'twice'],
    ['<a>x & y</a>', 'bare &'],
    ['<a x="a"b"/>', 'unreadable'],
    ['<a x=1/>', 'unreadable'],
    ['<a/><b/>', 'two root'],
  ])('refuses %s', (text, problem) => {
    expect(() => parseXml(text)).toThrow(problem);
  });
});
