// Words that need a moderator's eye: the comment waits in the queue.
import type { Phase } from './types';
import { wordList, wordsOf } from './words';

export const SuspectWordsPhase: Phase = {
  name: 'suspect-words',
  run({ actor, body }) {
    if (actor.site.suspectWords.length === 0) return null;
    const hit = wordList(actor.site.suspectWords).find(wordsOf(body.text));
    return hit ? { decision: 'pending', reason: `suspect-word:${hit}` } : null;
  },
};
