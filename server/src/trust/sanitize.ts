// Comment bodies and names as stored: NFC text, an allowlist of markup, no invisible tricks.
import sanitizeHtml from 'sanitize-html';
import { settleNesting } from './nesting';

/** Bidi embedding/override/isolate controls: removed everywhere (they can disguise text). */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
/** Other characters that never belong in a comment: C0/C1 controls except tab and newline. */
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

const SAFE_HREF = /^(?:https?:\/\/[^/]|mailto:)/i;

/** What comments may contain. */
export const ALLOWED_TAGS = ['p', 'br', 'b', 'strong', 'i', 'em', 'a', 'blockquote', 'code', 'pre', 'ul', 'ol', 'li'];

const OPTIONS: sanitizeHtml.IOptions = {
  // `span` is allowed only as what an unsafe link turns into; the filter below then drops the
  // tag and keeps its text. Renaming a tag to one outside the allowlist would leave its end
  // tag to the next element at the same depth (`x<b>ok</span>`), an unbalanced answer.
  allowedTags: [...ALLOWED_TAGS, 'span'],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Tags whose content is dropped with them, not kept as text.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'iframe', 'xmp', 'svg', 'math', 'template', 'object', 'embed'],
  enforceHtmlBoundary: false,
  // Deeper elements lose their tags (not their text): browsers flatten very deep trees anyway.
  nestingLimit: 64,
  parser: { lowerCaseTags: true, lowerCaseAttributeNames: true },
  // An unsafe link (now a `span`) and a typed `span`: the text stays, the tag goes.
  exclusiveFilter: (frame) => (frame.tag === 'span' || (frame.tag === 'a' && !frame.attribs.href) ? 'excludeTag' : false),
  transformTags: {
    // A link keeps its text; only an absolute http(s) or mailto href keeps it a link.
    a: (tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag =>
      attribs.href && SAFE_HREF.test(attribs.href.replace(/[\s\u0000-\u001f]/g, ''))
        ? { tagName, attribs: { href: attribs.href.trim(), rel: 'nofollow ugc noopener', target: '_blank' } }
        : { tagName: 'span', attribs: {} },
  },
};
// `rel` and `target` are added by the transform above, after the allowlist is applied.
OPTIONS.allowedAttributes = { a: ['href', 'rel', 'target'] };

export function cleanText(s: string): string {
  return s.normalize('NFC').replace(BIDI_CONTROLS, '').replace(CONTROL_CHARS, '');
}

export interface SanitizedBody {
  html: string;
  /** The visible text, NFC, what limits and word checks count. */
  text: string;
  links: number;
}

export function sanitizeBody(raw: string): SanitizedBody {
  let input = cleanText(raw).replace(/\r\n?/g, '\n').trim();
  if (!/<pre[\s>]/i.test(input)) input = input.replace(/\n/g, '<br>');
  const settled = settleNesting(sanitizeHtml(input, OPTIONS));
  const html = settled.html.trim();
  const text = htmlToText(html);
  return { html, text, links: settled.links + countBareUrls(text, html) };
}

/** Visible text of sanitized HTML (entities decoded, tags dropped, whitespace folded). */
export function htmlToText(html: string): string {
  const stripped = sanitizeHtml(html.replace(/<br\s*\/?>/gi, '\n'), { allowedTags: [], allowedAttributes: {} });
  return decodeEntities(stripped)
    .replace(/[ \t]+/g, ' ')
    .trim();
}

function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&nbsp;/g, '\u00A0')
    .replace(/&amp;/g, '&');
}

/** URLs typed as plain text also count as links (they are what link spam looks like). */
function countBareUrls(text: string, html: string): number {
  const inText = text.match(/\b(?:https?:\/\/|www\.)[^\s<]+/gi) ?? [];
  const anchored = new Set((html.match(/href="([^"]+)"/g) ?? []).map((h) => h.slice(6, -1)));
  return inText.filter((u) => !anchored.has(u)).length;
}

/** Invisible characters that names never need (ZWJ/ZWNJ stay: Devanagari names use them). */
const NAME_INVISIBLES = /[\u00AD\u034F\u061C\u115F\u1160\u180E\u200B\u200E\u200F\u2060-\u2064\u3164\uFEFF\uFFA0]/g;

/** Longest display name, in characters (code points), as the contract fixes it. */
export const MAX_NAME = 80;

/** A display name: NFC, no bidi, control or invisible characters, whitespace collapsed. */
export function collapseName(raw: string): string {
  return cleanText(raw).replace(NAME_INVISIBLES, '').replace(/\s+/g, ' ').trim();
}

/** A display name cut to MAX_NAME characters (guests: the name typed into a form). */
export function cleanName(raw: string): string {
  return [...collapseName(raw)].slice(0, MAX_NAME).join('');
}
