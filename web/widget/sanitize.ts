// Defence in depth: the server already sanitizes comment bodies; the widget keeps only a small
// allowlist again before it renders them, so a server bug cannot run script in the host page.
// DOMParser documents are inert: nothing in them loads or runs while we walk them.
const KEEP = new Set(['B', 'STRONG', 'I', 'EM', 'U', 'S', 'A', 'P', 'BR', 'BLOCKQUOTE', 'CODE', 'PRE', 'UL', 'OL', 'LI']);
const DROP = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'MATH', 'NOSCRIPT', 'TEXTAREA', 'XMP', 'SELECT']);

function clean(node: Node, doc: Document): Node[] {
  if (node.nodeType === 3) return [doc.createTextNode(node.nodeValue ?? '')];
  if (node.nodeType !== 1) return [];
  const el = node as Element;
  const children = Array.from(el.childNodes).flatMap((c) => clean(c, doc));
  if (DROP.has(el.tagName)) return [];
  if (!KEEP.has(el.tagName)) return children;
  const out = doc.createElement(el.tagName);
  if (el.tagName === 'A') {
    const href = el.getAttribute('href') ?? '';
    if (/^(https?:|mailto:)/i.test(href)) {
      out.setAttribute('href', href);
      out.setAttribute('rel', 'nofollow ugc noopener noreferrer');
      out.setAttribute('target', '_blank');
    }
  }
  out.append(...children);
  return [out];
}

export function safeHtml(html: string): string {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  const box = doc.createElement('div');
  box.append(...Array.from(doc.body.childNodes).flatMap((c) => clean(c, doc)));
  return box.innerHTML;
}
