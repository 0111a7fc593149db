// SEO keyword lines ("chhattisgarh news cg news hindi newspaper in raipur hindi news"):
// many short keywords, few punctuation marks, words repeated, almost none of the small
// words that real sentences need. Such a comment waits for a moderator.
import type { Phase } from './types';
import { wordsOf } from './words';

/** Fewer words than this are never judged: short comments are too varied to tell. */
export const MIN_WORDS = 8;

/** Small words of real sentences, in English, Hindi and romanised Hindi. */
const SENTENCE_WORDS = new Set(
  (
    'a an the is are was were be been am i you he she it we they me my your our this that these those ' +
    'of to in on at for with by from and or but not no so if as do does did have has had will would can could should ' +
    'what why how who when where there here very just also than then about into ' +
    'है हैं था थे थी हो होगा होगी का के की को से में पर और या भी नहीं न तो कि यह वह ये वो इस उस इन उन ' +
    'मैं हम आप तुम क्या क्यों कैसे कब कहाँ जो जब तक लिए साथ बहुत सही ' +
    'hai hain tha the thi ho ka ke ki ko se me mein par aur ya bhi nahi na to yeh ye woh wo is us kya kyun kaise ' +
    'jo jab tak liye sath bahut sahi main hum aap'
  ).split(/\s+/),
);

/** Sentence punctuation, Latin and Devanagari. */
const MARKS = /[.,!?;:।॥…—]/g;

export interface StuffingMeasure {
  words: number;
  marks: number;
  /** Share of words that repeat an earlier word. */
  repeated: number;
  /** Share of words that are small sentence words. */
  sentenceWords: number;
}

/** URLs are the links phase's business; their dots and slashes are not prose. */
const URLS = /\b(?:https?:\/\/|www\.)\S+/gi;

export function measureStuffing(raw: string): StuffingMeasure {
  const text = raw.replace(URLS, ' ');
  const words = wordsOf(text);
  const n = words.length || 1;
  return {
    words: words.length,
    marks: (text.match(MARKS) ?? []).length,
    repeated: 1 - new Set(words).size / n,
    sentenceWords: words.filter((w) => SENTENCE_WORDS.has(w)).length / n,
  };
}

export function looksStuffed(m: StuffingMeasure): boolean {
  if (m.words < MIN_WORDS) return false;
  if (m.marks * 10 >= m.words) return false; // punctuated like prose
  return m.repeated >= 0.3 || (m.words >= 10 && m.sentenceWords <= 0.1);
}

export const KeywordStuffingPhase: Phase = {
  name: 'keyword-stuffing',
  run({ body, user }) {
    if (user?.state === 'trusted') return null;
    return looksStuffed(measureStuffing(body.text)) ? { decision: 'pending', reason: 'keyword-stuffing' } : null;
  },
};
