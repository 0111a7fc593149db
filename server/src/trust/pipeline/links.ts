// More links than the site allows (site.maxLinks, default 1): held for a moderator.
// Links are anchors and URLs typed as text alike (see sanitize.ts). Trusted users skip it.
import type { Phase } from './types';

export const LinksPhase: Phase = {
  name: 'links',
  run({ actor, body, user }) {
    if (user?.state === 'trusted') return null;
    const max = actor.site.maxLinks;
    return body.links > max ? { decision: 'pending', reason: `links:${body.links}>${max}` } : null;
  },
};
