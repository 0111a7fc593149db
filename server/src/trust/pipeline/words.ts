// Word matching for the pipeline, Unicode-aware. Text is compared in a matching form only:
// NFKC (so full-width and styled letters become plain ones), case-folded, with zero-width and
// bidi control characters dropped from inside words. What is stored is never changed here:
// ZWJ/ZWNJ stay in the comment, because correct Devanagari needs them.

/** Invisible characters ignored when matching: zero-width space/joiners, word joiner, BOM,
 * soft hyphen, bidi marks, embeddings, overrides and isolates, Mongolian vowel separator. */
const INVISIBLE = /[\u00AD\u034F\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** A word: letters, combining marks (Devanagari vowel signs, virama) and digits. */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** The matching form of some text: NFKC, invisibles dropped, case-folded. */
export function matchingForm(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').toUpperCase().toLowerCase().normalize('NFC');
}

/** The words of a text, in matching form. */
export function wordsOf(text: string): string[] {
  return matchingForm(text).match(WORD) ?? [];
}

/**
 * A compiled word list. An entry is a word or a phrase of words; a trailing `*` matches any
 * ending (`spam*` matches spammer, `चोर*` matches चोरों).
 */
export class WordList {
  private readonly entries: { words: string[]; prefix: boolean; label: string }[];

  constructor(list: readonly string[]) {
    this.entries = list
      .map((raw) => {
        const prefix = raw.trim().endsWith('*');
        return { words: wordsOf(raw), prefix, label: raw.trim() };
      })
      .filter((e) => e.words.length > 0);
  }

  /** The first entry found in `words`, or null. */
  find(words: readonly string[]): string | null {
    for (const e of this.entries) {
      const n = e.words.length;
      for (let i = 0; i + n <= words.length; i++) {
        let hit = true;
        for (let j = 0; j < n && hit; j++) {
          const w = words[i + j]!;
          const want = e.words[j]!;
          hit = e.prefix && j === n - 1 ? w.startsWith(want) : w === want;
        }
        if (hit) return e.label;
      }
    }
    return null;
  }
}

const cache = new WeakMap<readonly string[], WordList>();
/** The compiled form of a site's list, built once per list. */
export function wordList(list: readonly string[]): WordList {
  let compiled = cache.get(list);
  if (!compiled) cache.set(list, (compiled = new WordList(list)));
  return compiled;
}
