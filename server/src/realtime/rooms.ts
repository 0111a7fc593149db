// Room names, in one place: readers of an article, a site's moderators, and one reader's sockets.
export const articleRoom = (site: string, article: string) => `a:${site}:${article}`;
export const moderatorsRoom = (site: string) => `m:${site}`;
/** Every open socket of one signed-in reader (the user id URI-encoded: it may hold colons). */
export const userRoom = (site: string, user: string) => `u:${site}:${encodeURIComponent(user)}`;

/** The site and article of an article room; undefined for any other room. */
export function articleOfRoom(room: string): { site: string; article: string } | undefined {
  if (!room.startsWith('a:')) return undefined;
  const [, site, ...rest] = room.split(':');
  return { site: site!, article: rest.join(':') };
}

/**
 * The article rooms to leave so that joining `room` keeps a socket in at most `max` of them:
 * the oldest joined first (a socket's rooms keep the order they were joined in).
 */
export function roomsToLeave(rooms: Iterable<string>, room: string, max: number): string[] {
  const joined = [...rooms].filter((r) => r.startsWith('a:'));
  if (joined.includes(room)) return [];
  return joined.slice(0, Math.max(0, joined.length + 1 - max));
}
