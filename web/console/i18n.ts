// Interface text in Hindi and English: the browser's language picks, the switch overrides.
export type Lang = 'hi' | 'en';

const en = {
  title: 'Moderation',
  pending: 'Pending',
  flagged: 'Flagged',
  rejected: 'Rejected',
  signInTitle: 'Sign in to moderate',
  tokenLabel: 'Moderator token (JWT signed by your site)',
  signIn: 'Sign in',
  demoToken: 'Use a demo moderator token (local only)',
  signOut: 'Sign out',
  sessionEnded: 'Your sign-in has expired. Sign in again with a new token.',
  empty: 'Nothing waiting. New items appear here as they arrive.',
  onlyArticle: 'Only the article:',
  allArticles: 'Show every article',
  loadMore: 'Load more',
  approve: 'Approve',
  reject: 'Reject',
  spam: 'Spam',
  ban: 'Ban author',
  undo: 'Restore',
  article: 'Article',
  author: 'Author',
  history: 'History',
  posted: 'Posted',
  now: 'just now',
  comments: 'comments',
  rejections: 'rejected',
  spamCount: 'spam',
  reasons: 'Why it is here',
  flags: 'Reports',
  hidden: 'hidden from readers',
  guest: 'guest',
  live: 'live',
  offline: 'reconnecting…',
  keys: 'j/k move · a approve · r reject · s spam · b ban author',
  takenBy: (who: string, action: string) => `${who} already did this (${action})`,
  banned: (name: string) => `${name} is banned`,
  failed: 'Could not do that',
  selectHint: 'Select an item with j/k or a click.',
  reason: {
    'premod:all': 'all comments are premoderated',
    'premod:links': 'has a link',
    'premod:new-user': 'new commenter',
    'premod:user': 'author on premoderation',
  } as Record<string, string>,
  flagReason: { spam: 'spam', abuse: 'abuse', offtopic: 'off-topic', other: 'other' } as Record<string, string>,
  action: { approve: 'approved', reject: 'rejected', spam: 'spam', deleted: 'deleted by author', edited: 'edited' } as Record<string, string>,
};

export type Strings = typeof en;

const hi: Strings = {
  title: 'मॉडरेशन',
  pending: 'लंबित',
  flagged: 'शिकायतें',
  rejected: 'अस्वीकृत',
  signInTitle: 'मॉडरेट करने के लिए साइन इन करें',
  tokenLabel: 'मॉडरेटर टोकन (आपकी साइट का हस्ताक्षरित JWT)',
  signIn: 'साइन इन',
  demoToken: 'डेमो मॉडरेटर टोकन लें (केवल लोकल)',
  signOut: 'साइन आउट',
  sessionEnded: 'आपका साइन-इन समाप्त हो गया है। नए टोकन से फिर साइन इन करें।',
  empty: 'कुछ भी बाक़ी नहीं। नई टिप्पणियाँ आते ही यहाँ दिखेंगी।',
  onlyArticle: 'केवल यह लेख:',
  allArticles: 'सभी लेख दिखाएँ',
  loadMore: 'और दिखाएँ',
  approve: 'स्वीकार',
  reject: 'अस्वीकार',
  spam: 'स्पैम',
  ban: 'लेखक पर रोक',
  undo: 'वापस लाएँ',
  article: 'लेख',
  author: 'लेखक',
  history: 'इतिहास',
  posted: 'समय',
  now: 'अभी',
  comments: 'टिप्पणियाँ',
  rejections: 'अस्वीकृत',
  spamCount: 'स्पैम',
  reasons: 'यहाँ क्यों है',
  flags: 'शिकायतें',
  hidden: 'पाठकों से छिपी',
  guest: 'अतिथि',
  live: 'लाइव',
  offline: 'फिर से जुड़ रहे हैं…',
  keys: 'j/k चुनें · a स्वीकार · r अस्वीकार · s स्पैम · b लेखक पर रोक',
  takenBy: (who, action) => `${who} यह कर चुके हैं (${action})`,
  banned: (name) => `${name} पर रोक लगा दी गई`,
  failed: 'यह नहीं हो सका',
  selectHint: 'j/k या क्लिक से कोई टिप्पणी चुनें।',
  reason: {
    'premod:all': 'सभी टिप्पणियाँ पहले जाँची जाती हैं',
    'premod:links': 'इसमें लिंक है',
    'premod:new-user': 'नया टिप्पणीकार',
    'premod:user': 'लेखक की टिप्पणियाँ जाँच में',
  },
  flagReason: { spam: 'स्पैम', abuse: 'अपशब्द', offtopic: 'विषय से हटकर', other: 'अन्य' },
  action: { approve: 'स्वीकृत', reject: 'अस्वीकृत', spam: 'स्पैम', deleted: 'लेखक ने हटाई', edited: 'संपादित' },
};

export const STRINGS: Record<Lang, Strings> = { en, hi };

const KEY = 'charcha-console-lang';

export function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === 'hi' || saved === 'en') return saved;
  } catch {
    /* storage blocked */
  }
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language];
  return langs.some((l) => l?.toLowerCase().startsWith('hi')) ? 'hi' : 'en';
}

export function saveLang(lang: Lang): void {
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    /* storage blocked */
  }
}
