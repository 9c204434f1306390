/** An element of a parsed XML document: its name, attributes (entities decoded), children, text. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function decode(text: string): string {
  if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text)) {
    throw new Error(`a bare & in ${JSON.stringify(text)}`);
  }
  return text.replace(ENTITY, (e) => {
    const named: Record<string, string> = {
      '&amp;': '&',
      '&lt;': '<',
      '&gt;': '>',
      '&quot;': '"',
      '&apos;': "'",
    };
    if (named[e] !== undefined) return named[e];
    return String.fromCodePoint(
      e.startsWith('&#x') ? parseInt(e.slice(3, -1), 16) : parseInt(e.slice(2, -1), 10),
    );
  });
}

/**
 * A tiny well-formedness check of the XML our drawings write (no DTD, comments or CDATA):
 * tags balanced and properly nested, attributes quoted and unique, no bare < or & in text.
 * Throws on the first problem; returns the root element.
 */
export function parseXml(text: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    const open = stack.at(-1);
    if (open === undefined) {
      if (chunk.trim() !== '') throw new Error(`text outside the root: ${JSON.stringify(chunk)}`);
    } else {
      open.text += decode(chunk);
    }
    if (lt < 0) break;
    const gt = text.indexOf('>', lt);
    if (gt < 0) throw new Error('a tag is not closed');
    const tag = text.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const closed = stack.pop();
      if (closed?.name !== tag.slice(1))
        throw new Error(`</${tag.slice(1)}> closes <${closed?.name ?? 'nothing'}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const name = /^[A-Za-z_][\w.:-]*/.exec(body)?.[0];
    if (name === undefined) throw new Error(`a bad tag <${tag}>`);
    const attributes: Record<string, string> = {};
    let rest = body.slice(name.length);
    const attribute = /^\s+([A-Za-z_][\w.:-]*)="([^"<]*)"|^\s+([A-Za-z_][\w.:-]*)='([^'<]*)'/;
    for (let m = attribute.exec(rest); m !== null; m = attribute.exec(rest)) {
      const key = m[1] ?? m[3] ?? '';
      if (key in attributes) throw new Error(`attribute ${key} twice in <${name}>`);
      attributes[key] = decode(m[2] ?? m[4] ?? '');
      rest = rest.slice(m[0].length);
    }
    if (rest.trim() !== '')
      throw new Error(`unreadable attributes in <${name}>: ${JSON.stringify(rest)}`);
    const element: XmlElement = { name, attributes, children: [], text: '' };
    if (open === undefined) {
      if (root !== undefined) throw new Error('two root elements');
      root = element;
    } else {
      open.children.push(element);
    }
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)?.name ?? ''}> is not closed`);
  if (root === undefined) throw new Error('no root element');
  return root;
}

/** Every element below (and including) `e`, depth first. */
export function allElements(e: XmlElement): XmlElement[] {
  return [e, ...e.children.flatMap(allElements)];
}
