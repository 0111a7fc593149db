// Which article ids a site has: its `articlePattern`, when it sets one. Checked where an article
// document would be created (a post, a reaction on the article), so ids the site never
// published are not stored.
import type { Site } from '../trust/sites';
import { notFound } from './errors';

const compiled = new Map<string, RegExp>();

export function checkArticleId(site: Pick<Site, 'articlePattern'>, article: string): void {
  const pattern = site.articlePattern;
  if (!pattern) return;
  let re = compiled.get(pattern);
  if (!re) compiled.set(pattern, (re = new RegExp(`^(?:${pattern})$`, 'u')));
  if (!re.test(article)) throw notFound('No such article on this site');
}
