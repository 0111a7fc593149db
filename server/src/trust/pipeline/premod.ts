// Premoderation by site or article setting: `all` holds every comment, `links` those with a
// link, `new-users` those of authors with no published comment yet. Trusted users skip it.
import type { Phase } from './types';

export const PremodPhase: Phase = {
  name: 'premod',
  run({ actor, article, body, user }) {
    if (user?.state === 'trusted') return null;
    if (user?.state === 'premod') return { decision: 'pending', reason: 'premod:user' };
    const mode = article.premod ?? actor.site.premod;
    if (mode === 'all') return { decision: 'pending', reason: 'premod:all' };
    if (mode === 'links' && body.links > 0) return { decision: 'pending', reason: 'premod:links' };
    if (mode === 'new-users' && (!user || user.comments === 0)) return { decision: 'pending', reason: 'premod:new-user' };
    return null;
  },
};
