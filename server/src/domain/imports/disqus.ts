// Disqus XML exports: `<disqus>` holding `<category>`, `<thread dsq:id>` and `<post dsq:id>`
// elements side by side. A post names its thread and, for a reply, its parent by `dsq:id`;
// either may come later in the file.
import { cleanName } from '../../trust/sanitize';
import { authorAccount, importedAuthorId } from './identity';
import { parseDate, SKIPS, type RecordReader, type SourcePost, type SourceRecord, type SourceThread, type SourceState } from './records';
import { child, childText, xmlRecords, type XmlElement } from './xml-records';

const isTrue = (el: XmlElement, name: string) => childText(el, name)?.toLowerCase() === 'true';

export const readDisqus: RecordReader = async function* (input) {
  let rootSeen = false;
  for await (const el of xmlRecords(input, (path) => {
    if (path.length === 1 && path[0] !== 'disqus') throw new Error(`Not a Disqus export: the root element is <${path[0]}>, not <disqus>`);
    rootSeen = true;
    return path.length === 2 && (path[1] === 'thread' || path[1] === 'post');
  })) {
    const record = el.name === 'thread' ? thread(el) : post(el);
    if (record) yield record;
  }
  if (!rootSeen) throw new Error('Not a Disqus export: the file has no <disqus> element');
};

function thread(el: XmlElement): SourceThread | null {
  const id = el.attrs.id;
  if (!id) return null;
  const identifier = child(el, 'id')?.text ?? '';
  return {
    kind: 'thread',
    key: `disqus:t:${id}`,
    identifier: identifier.trim() ? identifier : null,
    link: childText(el, 'link'),
    slug: null,
    title: childText(el, 'title'),
    closed: isTrue(el, 'isClosed'),
    ...(isTrue(el, 'isDeleted') ? { skip: 'deleted in the source' } : {}),
  };
}

function post(el: XmlElement): SourceRecord | null {
  const id = el.attrs.id;
  if (!id) return null;
  const a = child(el, 'author');
  const anonymous = a ? isTrue(a, 'isAnonymous') : true;
  const name = cleanName(childText(a, 'name') ?? childText(a, 'username') ?? '') || 'Anonymous';
  const username = anonymous ? null : childText(a, 'username');
  const state: SourceState = isTrue(el, 'isDeleted') ? 'deleted' : isTrue(el, 'isSpam') ? 'spam' : 'published';
  const createdAt = parseDate(childText(el, 'createdAt'));
  const parent = child(el, 'parent')?.attrs.id;
  const p: SourcePost = {
    kind: 'post',
    key: `disqus:${id}`,
    thread: `disqus:t:${child(el, 'thread')?.attrs.id ?? ''}`,
    parent: parent ? `disqus:${parent}` : null,
    createdAt,
    editedAt: null,
    state,
    author: { id: importedAuthorId('disqus', authorAccount(username, childText(a, 'email'), name)), name, ...(anonymous ? { guest: true } : {}) },
    body: child(el, 'message')?.text ?? '',
    ...(createdAt ? {} : { skip: SKIPS.noDate }),
  };
  return p;
}
