// A small XML reader for the DMN TCK's files (feel-tck.ts): elements with their local names,
// attributes and text. Enough for the TCK's .dmn models and test files (elements, attributes,
// text, comments, CDATA, processing instructions, the five named entities and numeric ones);
// not a validating parser.

export type XmlElement = {
  /** Local name, without the namespace prefix (`semantic:decision` -> `decision`). */
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (children's text excluded), entities resolved. */
  text: string;
};

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

const ATTRIBUTE = /([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')/g;

export function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('<', at);
    const top = stack[stack.length - 1]!;
    if (open < 0) {
      top.text += decode(source.slice(at));
      break;
    }
    if (open > at) top.text += decode(source.slice(at, open));
    if (source.startsWith('<!--', open)) {
      at = source.indexOf('-->', open) + 3;
    } else if (source.startsWith('<![CDATA[', open)) {
      const end = source.indexOf(']]>', open);
      top.text += source.slice(open + 9, end);
      at = end + 3;
    } else if (source.startsWith('<?', open) || source.startsWith('<!', open)) {
      at = source.indexOf('>', open) + 1;
    } else if (source.startsWith('</', open)) {
      const end = source.indexOf('>', open);
      stack.pop();
      at = end + 1;
    } else {
      const end = findTagEnd(source, open);
      const inner = source.slice(open + 1, end);
      const selfClosing = inner.endsWith('/');
      const body = selfClosing ? inner.slice(0, -1) : inner;
      const nameEnd = body.search(/[\s/]|$/);
      const element: XmlElement = { name: localName(body.slice(0, nameEnd)), attrs: {}, children: [], text: '' };
      for (const match of body.slice(nameEnd).matchAll(ATTRIBUTE)) {
        element.attrs[match[1]!] = decode(match[3] ?? match[4] ?? '');
      }
      top.children.push(element);
      if (!selfClosing) stack.push(element);
      at = end + 1;
    }
    if (at <= 0) break;
  }
  const document = root.children[0];
  if (!document) throw new Error('no root element');
  return document;
}

/** The `>` closing a start tag, skipping `>` inside quoted attribute values. */
function findTagEnd(source: string, from: number): number {
  let quote: string | null = null;
  for (let i = from + 1; i < source.length; i++) {
    const c = source[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return i;
    }
  }
  throw new Error(`unterminated tag at ${from}`);
}

export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

export function childNamed(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** The text of a `<text>` child (literal expressions, unary tests), or undefined. */
export function textChild(element: XmlElement | undefined): string | undefined {
  const text = element && childNamed(element, 'text');
  return text ? text.text : undefined;
}
