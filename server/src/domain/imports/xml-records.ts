// A streamed XML file as a sequence of small element trees. The caller names which elements
// are records (by their path of local names); each is collected, with what it contains, and
// handed over when it closes, so memory holds one record at a time, never the file. A record
// inside another record (a WordPress comment inside its post) is handed over on its own, with
// what its enclosing record had collected so far.
import { SaxesParser } from 'saxes';

export interface XmlElement {
  /** Local name: the namespace prefix dropped (`wp:comment` → `comment`). */
  name: string;
  attrs: Record<string, string>;
  /** Text and CDATA directly inside it, as written. */
  text: string;
  children: XmlElement[];
}

export interface XmlRecord extends XmlElement {
  /** The enclosing record as collected so far (its children up to this record), if any. */
  within: XmlElement | null;
}

export type RecordPath = (path: readonly string[]) => boolean;

const local = (name: string) => name.slice(name.indexOf(':') + 1);

export class XmlFormatError extends Error {}

/** The records of an XML text stream, in document order. Malformed XML throws, with its place. */
export async function* xmlRecords(input: AsyncIterable<string>, isRecord: RecordPath): AsyncGenerator<XmlRecord> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const path: string[] = [];
  // Per open element: the element collected for it (null when not inside a record), and
  // whether it is a record root.
  const stack: { el: XmlElement | null; record: boolean }[] = [];
  const records: XmlElement[] = [];
  let ready: XmlRecord[] = [];

  const top = () => stack[stack.length - 1]?.el ?? null;
  const text = (t: string) => {
    const el = top();
    if (el) el.text += t;
  };
  parser.on('opentag', (tag) => {
    const name = local(tag.name);
    path.push(name);
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attrs[local(k)] = String(v);
    if (isRecord(path)) {
      const el: XmlElement = { name, attrs, text: '', children: [] };
      stack.push({ el, record: true });
      records.push(el);
      return;
    }
    const parent = top();
    const el = parent ? { name, attrs, text: '', children: [] } : null;
    if (parent && el) parent.children.push(el);
    stack.push({ el, record: false });
  });
  parser.on('text', text);
  parser.on('cdata', text);
  parser.on('closetag', () => {
    path.pop();
    const frame = stack.pop();
    if (!frame?.record || !frame.el) return;
    records.pop();
    ready.push(Object.assign(frame.el, { within: records[records.length - 1] ?? null }));
  });
  parser.on('error', (err) => {
    throw new XmlFormatError(`Not well-formed XML at line ${parser.line}, column ${parser.column}: ${err.message.replace(/^[^:]*:\d+:\d+: /, '')}`);
  });

  for await (const chunk of input) {
    parser.write(chunk);
    if (ready.length) {
      const out = ready;
      ready = [];
      yield* out;
    }
  }
  parser.close();
  yield* ready;
}

/** The first child named `name`. */
export function child(el: XmlElement | null | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** The text of the first child named `name`, trimmed; null when absent or empty. */
export function childText(el: XmlElement | null | undefined, name: string): string | null {
  const t = child(el, name)?.text.trim();
  return t ? t : null;
}
