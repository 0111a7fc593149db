// Sanitized bodies are balanced HTML made of the allowlist only: every XSS vector and a few
// thousand random tag-soup strings (from a seeded generator, so a failure can be replayed)
// come out as markup that htmlparser2 parses and re-serialises to the very same string, and
// that Chromium's own HTML parser builds and serialises back unchanged.
import assert from 'node:assert/strict';
import render from 'dom-serializer';
import { isTag, type ChildNode } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import { ALLOWED_TAGS, sanitizeBody } from '../../server/src/trust/sanitize';
import { hasChromium, launchBrowser } from '../e2e/browser';
import { XSS_VECTORS } from '../fixtures/xss-vectors';

const SEED = Number(process.env.SANITIZE_SEED ?? 20240611);
const ROUNDS = 3000;
const BROWSER_ROUNDS = 1000;

/** mulberry32: a small seeded generator, enough to make tag soup reproducible. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TAGS = [...ALLOWED_TAGS, 'span', 'div', 'table', 'tr', 'td', 'img', 'script', 'style', 'svg', 'math', 'textarea', 'noscript', 'template', 'iframe', 'xmp', 'title', 'option', 'select', 'form', 'h1', 'mglyph', 'annotation-xml', 'object', 'embed', 'body', 'html', 'head', 'base', 'video', 'source', 'details'];
const HREFS = ['https://ok.example/a?b=1&c=2', 'javascript:alert(1)', 'JaVa\tScRiPt:x', 'mailto:a@b.example', '//evil.example', 'data:text/html,x', ' http://x.example', 'http://', 'vbscript:x', '"><script>x</script>', ''];
const ATTRS = ['onclick=alert(1)', 'style="color:red"', 'title="t"', 'src=x', 'onerror="x"', 'class=c', 'id=i', 'srcset="javascript:x 1x"', 'xlink:href="javascript:x"', 'target=_top', 'rel=opener'];
const BITS = ['<', '>', '</', '/>', '"', "'", '=', '<!--', '-->', '<![CDATA[', ']]>', '<!doctype html>', '<?xml ?>', '&amp;', '&lt;', '&', '&#x3C;script&#x3E;', '&quot;', '\n', '\n\n', ' ', 'नमस्ते', 'क्\u200dष', 'text', 'ok', 'www.example.com', 'https://t.example/x'];

function tagSoup(rand: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const parts: string[] = [];
  const n = 1 + Math.floor(rand() * 24);
  for (let i = 0; i < n; i++) {
    const r = rand();
    const tag = pick(TAGS);
    const name = rand() < 0.15 ? tag.toUpperCase() : tag;
    if (r < 0.35) {
      const attrs: string[] = [];
      if (tag === 'a' || rand() < 0.1) attrs.push(`href="${pick(HREFS)}"`);
      while (rand() < 0.3) attrs.push(pick(ATTRS));
      parts.push(`<${name}${attrs.map((a) => ' ' + a).join('')}${rand() < 0.05 ? ' /' : ''}>`);
    } else if (r < 0.6) {
      parts.push(`</${name}>`);
    } else {
      parts.push(pick(BITS));
    }
  }
  return parts.join('');
}

/** Elements, attributes and node kinds that sanitized markup may never hold. */
function violations(nodes: ChildNode[], out: string[] = []): string[] {
  for (const node of nodes) {
    if (isTag(node)) {
      if (!ALLOWED_TAGS.includes(node.name)) out.push(`tag <${node.name}>`);
      const allowed = node.name === 'a' ? ['href', 'rel', 'target'] : [];
      for (const attr of Object.keys(node.attribs)) if (!allowed.includes(attr)) out.push(`attribute ${attr} on <${node.name}>`);
      if (node.name === 'a' && !/^(?:https?:\/\/[^/]|mailto:)/i.test(node.attribs.href ?? '')) out.push(`href ${node.attribs.href}`);
      violations(node.children, out);
    } else if (node.type !== 'text') {
      out.push(`node of type ${node.type}`);
    }
  }
  return out;
}

function check(input: string, label: string): void {
  const { html } = sanitizeBody(input);
  const doc = parseDocument(html, { decodeEntities: false });
  const again = render(doc, { decodeEntities: false, selfClosingTags: true });
  assert.equal(again, html, `${label}: unbalanced output\n input: ${JSON.stringify(input)}\noutput: ${JSON.stringify(html)}`);
  assert.deepEqual(violations(doc.children), [], `${label}: ${JSON.stringify(input)} → ${JSON.stringify(html)}`);
}

describe('sanitized markup is balanced', () => {
  it('keeps a renamed link from closing the next element with its name', () => {
    assert.equal(sanitizeBody('<a href="javascript:x">x</a><b>ok</b>').html, 'x<b>ok</b>');
    assert.equal(sanitizeBody('<a>x</a><i>y</i>').html, 'x<i>y</i>');
    assert.equal(sanitizeBody('<b><a href="javascript:x">x</a><i>y</i></b>').html, '<b>x<i>y</i></b>');
    assert.equal(sanitizeBody('<span title="t">a</span><em>b</em>').html, 'a<em>b</em>');
    const kept = sanitizeBody('<a href="https://ok.example">x</a><b>ok</b>');
    assert.equal(kept.html, '<a href="https://ok.example" rel="nofollow ugc noopener" target="_blank">x</a><b>ok</b>');
    assert.equal(kept.links, 1);
    assert.equal(sanitizeBody('<a href="javascript:x">x</a>').links, 0);
  });

  it('for every XSS vector', () => {
    for (const v of XSS_VECTORS) check(v.body, v.name);
  });

  it(`for ${ROUNDS} random tag-soup strings (seed ${SEED})`, () => {
    const rand = generator(SEED);
    for (let i = 0; i < ROUNDS; i++) check(tagSoup(rand), `soup #${i}`);
  });
});

describe('sanitized markup in a browser', function () {
  this.timeout(60_000);

  it(`parses back unchanged in Chromium: XSS vectors and ${BROWSER_ROUNDS} tag-soup strings`, async function () {
    if (!hasChromium()) this.skip();
    const rand = generator(SEED + 1);
    const inputs = [...XSS_VECTORS.map((v) => v.body), ...Array.from({ length: BROWSER_ROUNDS }, () => tagSoup(rand))];
    // The browser writes void elements as `<br>` and a no-break space as `&nbsp;`.
    const outputs = inputs.map((i) => sanitizeBody(i).html.replace(/<br \/>/g, '<br>').replace(/\u00A0/g, '&nbsp;'));
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.setContent('<!doctype html><meta charset="utf-8"><body></body>');
      const reparsed = (await page.evaluate(
        `((list) => list.map((html) => { const t = document.createElement('template'); t.innerHTML = html; return t.innerHTML; }))(${JSON.stringify(outputs)})`,
      )) as string[];
      const differ = outputs.flatMap((html, i) => (reparsed[i] === html ? [] : [`${JSON.stringify(inputs[i])}\n  → ${JSON.stringify(html)}\n  ≠ ${JSON.stringify(reparsed[i])}`]));
      assert.deepEqual(differ.slice(0, 5), [], `${differ.length} of ${outputs.length} change in the browser`);
    } finally {
      await browser.close();
    }
  });
});
