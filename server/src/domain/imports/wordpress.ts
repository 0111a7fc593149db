// WordPress WXR exports: RSS `<item>`s (posts and pages) each holding its `<wp:comment>`s.
// Comments are handed over one by one as they close, with the fields of their post read so
// far (WordPress writes the post's fields before its comments); the post itself when it
// closes. `comment_parent` names another comment of the same post by `comment_id`.
import { cleanName } from '../../trust/sanitize';
import { authorAccount, importedAuthorId } from './identity';
import { parseDate, SKIPS, type RecordReader, type SourcePost, type SourceState, type SourceThread } from './records';
import { childText, xmlRecords, type XmlElement } from './xml-records';

const STATE: Record<string, SourceState> = { '1': 'published', '0': 'pending', spam: 'spam', trash: 'deleted', 'post-trashed': 'deleted' };

export const readWordPress: RecordReader = async function* (input) {
  let items = 0;
  let rootSeen = false;
  // The key of each item, by the element being collected (comments see it before it closes).
  const keys = new WeakMap<XmlElement, string>();
  const keyOf = (item: XmlElement) => {
    let k = keys.get(item);
    if (!k) keys.set(item, (k = `wordpress:t:${childText(item, 'post_id') ?? `item-${++items}`}`));
    return k;
  };
  for await (const el of xmlRecords(input, (path) => {
    if (path.length === 1 && path[0] !== 'rss') throw new Error(`Not a WordPress export (WXR): the root element is <${path[0]}>, not <rss>`);
    rootSeen = true;
    return (path.length === 3 && path[2] === 'item') || (path.length === 4 && path[2] === 'item' && path[3] === 'comment');
  })) {
    if (el.name === 'item') {
      yield thread(el, keyOf(el));
    } else if (el.within) {
      yield comment(el, keyOf(el.within));
    }
  }
  if (!rootSeen) throw new Error('Not a WordPress export (WXR): the file has no <rss> element');
};

function thread(item: XmlElement, key: string): SourceThread {
  return {
    kind: 'thread',
    key,
    identifier: childText(item, 'post_id'),
    link: childText(item, 'link'),
    slug: childText(item, 'post_name'),
    title: childText(item, 'title'),
    closed: childText(item, 'comment_status') === 'closed',
  };
}

function comment(el: XmlElement, thread: string): SourcePost {
  const id = childText(el, 'comment_id') ?? '';
  const type = childText(el, 'comment_type') ?? '';
  const name = cleanName(childText(el, 'comment_author') ?? '') || 'Anonymous';
  const userId = childText(el, 'comment_user_id');
  const user = userId && userId !== '0' ? userId : null;
  const createdAt = parseDate(childText(el, 'comment_date_gmt')) ?? parseDate(childText(el, 'comment_date'));
  const parent = childText(el, 'comment_parent');
  const approved = childText(el, 'comment_approved') ?? '1';
  const skip = type === 'pingback' || type === 'trackback' ? SKIPS.ping : !id ? SKIPS.noId : !createdAt ? SKIPS.noDate : undefined;
  return {
    kind: 'post',
    key: id ? `wordpress:${id}` : `wordpress:?${thread}`,
    thread,
    parent: parent && parent !== '0' ? `wordpress:${parent}` : null,
    createdAt,
    editedAt: null,
    state: STATE[approved] ?? 'pending',
    author: { id: importedAuthorId('wordpress', authorAccount(user, childText(el, 'comment_author_email'), name)), name, ...(user ? {} : { guest: true }) },
    body: el.children.find((c) => c.name === 'comment_content')?.text ?? '',
    ...(skip ? { skip } : {}),
  };
}
