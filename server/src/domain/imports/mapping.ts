// Which article a source thread becomes (`--map`): its identifier as the source wrote it, its
// URL's path (what `location.pathname` gives on the page), or its slug. The result must be an
// article id the API accepts, or the thread is left out with the reason.
import { ArticleId } from '../inputs';
import type { MapMode, SourceThread } from './records';

export type Mapped = { article: string } | { skip: string };

export function articleFor(thread: SourceThread, mode: MapMode): Mapped {
  let id: string | null;
  let what: string;
  if (mode === 'identifier') {
    id = thread.identifier;
    what = 'identifier';
  } else {
    const path = pathOf(thread.link);
    what = path === null ? 'link' : mode === 'slug' ? 'slug' : 'URL path';
    id = mode === 'slug' ? (thread.slug ?? lastSegment(path)) : path;
  }
  if (!id) return { skip: `no ${what} (try another --map)` };
  const ok = ArticleId.safeParse(id);
  if (!ok.success) return { skip: `its ${what} is not an article id (1-200 characters, no spaces or controls, not starting with $)` };
  return { article: id };
}

function pathOf(link: string | null): string | null {
  if (!link) return null;
  try {
    return new URL(link).pathname;
  } catch {
    return null;
  }
}

function lastSegment(path: string | null): string | null {
  const parts = (path ?? '').split('/').filter(Boolean);
  return parts.length ? parts[parts.length - 1]! : null;
}
