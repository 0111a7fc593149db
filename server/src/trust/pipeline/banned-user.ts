// A banned author is refused. New posts by banned users are refused with 403 before the
// pipeline runs (CommentService.postComment); this phase also covers edits.
import type { Phase } from './types';

export const BannedUserPhase: Phase = {
  name: 'banned-user',
  run({ user }) {
    if (user?.state !== 'banned') return null;
    if (user.bannedUntil && user.bannedUntil <= new Date()) return null;
    return { decision: 'reject', reason: 'banned-user', message: 'You are banned from commenting on this site' };
  },
};
