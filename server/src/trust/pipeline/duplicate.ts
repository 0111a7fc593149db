// The same text from the same author within 24 hours is rejected as a duplicate (a retry
// of the same post carries the same clientId and is answered before this, never rejected).
import type { Phase } from './types';

export const DuplicatePhase: Phase = {
  name: 'duplicate',
  async run({ edit, recentSameText }) {
    if (edit || !(await recentSameText())) return null;
    return { decision: 'reject', reason: 'duplicate', message: 'You already posted this comment' };
  },
};
