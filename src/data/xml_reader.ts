/**
 * @module A small XML reader for annotation files (the subset `xml.etree.ElementTree` users of
 * VOC need: elements, text, attributes, comments, CDATA, the five predefined entities).
 *
 * Porting note: no npm XML parser is a dependency of detkit, and VOC annotations are simple.
 */
import { ValueError } from '../utils/errors.js';

/** An XML element (ElementTree `Element`: `tag`, `attrib`, `text`, children). */
export interface XmlElement {
  tag: string;
  attrib: Record<string, string>;
  /** Concatenated character data directly inside the element, trimmed. */
  text: string;
  children: XmlElement[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? m;
  });
}

/**
 * Parses an XML document and returns its root element.
 * @param file named in error messages
 * @throws ValueError `DATA_XML_PARSE` with the line number for malformed XML
 */
export function parseXml(text: string, file = '<xml>'): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const fail = (msg: string): never => {
    const line = text.slice(0, i).split('\n').length;
    throw new ValueError('DATA_XML_PARSE', `${file}: not well-formed XML (line ${line}): ${msg}`, { file });
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (chunk.trim() !== '') {
      if (stack.length === 0) fail('text outside the root element');
      stack[stack.length - 1]!.text += decodeEntities(chunk);
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i);
      if (end < 0) fail('unterminated CDATA');
      if (stack.length === 0) fail('CDATA outside the root element');
      stack[stack.length - 1]!.text += text.slice(i + 9, end);
      i = end + 3;
    } else if (text.startsWith('<?', i) || text.startsWith('<!', i)) {
      const end = text.indexOf('>', i);
      if (end < 0) fail('unterminated declaration');
      i = end + 1;
    } else if (text.startsWith('</', i)) {
      const end = text.indexOf('>', i);
      if (end < 0) fail('unterminated end tag');
      const name = text.slice(i + 2, end).trim();
      const open = stack.pop();
      if (open === undefined || open.tag !== name) fail(`mismatched tag </${name}> (open: <${open?.tag ?? 'none'}>)`);
      i = end + 1;
    } else {
      const end = text.indexOf('>', i);
      if (end < 0) fail('unterminated start tag');
      let body = text.slice(i + 1, end);
      const selfClosing = body.endsWith('/');
      if (selfClosing) body = body.slice(0, -1);
      const m = /^([^\s/>]+)/.exec(body);
      if (m === null) fail('empty tag name');
      const el: XmlElement = { tag: m![1]!, attrib: {}, text: '', children: [] };
      for (const a of body.slice(m![1]!.length).matchAll(/([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
        el.attrib[a[1]!] = decodeEntities(a[3] ?? a[4] ?? '');
      }
      if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
      else if (root === undefined) root = el;
      else fail('more than one root element');
      if (!selfClosing) stack.push(el);
      i = end + 1;
    }
  }
  if (stack.length > 0) fail(`unclosed element <${stack[stack.length - 1]!.tag}>`);
  if (root === undefined) fail('no root element');
  const trim = (e: XmlElement): void => {
    e.text = e.text.trim();
    e.children.forEach(trim);
  };
  trim(root!);
  return root!;
}

/** ElementTree `find(tag)`: the first direct child named `tag`. */
export function xmlFind(el: XmlElement, tag: string): XmlElement | undefined {
  return el.children.find((c) => c.tag === tag);
}

/** ElementTree `findall(tag)`: every direct child named `tag`. */
export function xmlFindAll(el: XmlElement, tag: string): XmlElement[] {
  return el.children.filter((c) => c.tag === tag);
}
