// Words a site never publishes: the comment is rejected (kept for moderators to review).
import type { Phase } from './types';
import { wordList, wordsOf } from './words';

export const BannedWordsPhase: Phase = {
  name: 'banned-words',
  run({ actor, body }) {
    if (actor.site.bannedWords.length === 0) return null;
    const hit = wordList(actor.site.bannedWords).find(wordsOf(body.text));
    if (!hit) return null;
    return { decision: 'reject', reason: `banned-word:${hit}`, message: 'Your comment contains words this site does not publish' };
  },
};
