// Sanitized markup as a browser would build it. sanitize-html keeps elements properly nested,
// but not every nesting survives an HTML parser: a browser closes an open `p` when a list,
// quote, `pre` or another `p` starts inside it, closes an open link when another link starts,
// and an open `li` when another `li` starts (unless a list or quote lies between), and drops
// the line break that opens a `pre` (so `<pre>` loses its leading blank lines here). Such
// markup would be rebuilt differently by every reader's browser. Here it is parsed with
// htmlparser2, the misnested element loses its tag (its content stays), and the tree is
// serialised again: balanced markup that parses back to itself.
import render from 'dom-serializer';
import { isTag, isText, type ChildNode } from 'domhandler';
import { parseDocument } from 'htmlparser2';

/** Allowed elements whose start closes an open `p`. */
const CLOSES_P = new Set(['p', 'ul', 'ol', 'li', 'blockquote', 'pre']);
/** Allowed elements that stop an `li` start from closing an `li` further out. */
const LIST_BOUNDARY = new Set(['ul', 'ol', 'blockquote', 'pre']);

interface Open {
  a: boolean;
  li: boolean;
}

export interface SettledMarkup {
  html: string;
  /** Links (`a` elements) in the result. */
  links: number;
}

/** Re-nests sanitized HTML the way browsers parse it; counts the links that remain. */
export function settleNesting(html: string): SettledMarkup {
  const doc = parseDocument(html, { decodeEntities: false });
  doc.children = settle(doc.children, { a: false, li: false });
  for (const child of doc.children) child.parent = doc;
  return {
    html: render(doc, { decodeEntities: false, selfClosingTags: true }),
    links: count(doc.children, 'a'),
  };
}

function settle(nodes: ChildNode[], open: Open): ChildNode[] {
  const out: ChildNode[] = [];
  for (const node of nodes) {
    if (!isTag(node)) {
      out.push(node);
      continue;
    }
    const name = node.name;
    if ((name === 'a' && open.a) || (name === 'li' && open.li)) {
      out.push(...settle(node.children, open));
      continue;
    }
    const inner: Open = { a: open.a || name === 'a', li: name === 'li' || (open.li && !LIST_BOUNDARY.has(name)) };
    node.children = settle(node.children, inner);
    for (const child of node.children) child.parent = node;
    const first = node.children[0];
    if (name === 'pre' && first && isText(first)) first.data = first.data.replace(/^\n+/, '');
    if (name === 'p' && contains(node.children, CLOSES_P)) out.push(...node.children);
    else out.push(node);
  }
  return out;
}

function contains(nodes: ChildNode[], names: Set<string>): boolean {
  return nodes.some((n) => isTag(n) && (names.has(n.name) || contains(n.children, names)));
}

function count(nodes: ChildNode[], name: string): number {
  let n = 0;
  for (const node of nodes) if (isTag(node)) n += (node.name === name ? 1 : 0) + count(node.children, name);
  return n;
}
