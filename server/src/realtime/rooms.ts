// Room names, in one place: readers of an article, and a site's moderators.
export const articleRoom = (site: string, article: string) => `a:${site}:${article}`;
export const moderatorsRoom = (site: string) => `m:${site}`;
