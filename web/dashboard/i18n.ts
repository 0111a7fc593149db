// The dashboard's text in Hindi and English (the language choice is the console's, shared).
import type { Lang } from '../console/i18n';

const en = {
  title: 'Newsroom dashboard',
  signInTitle: 'Sign in to the newsroom dashboard',
  readersNow: 'Readers now',
  commentsLastMinute: 'Comments this minute',
  backlog: 'Waiting for moderation',
  pending: 'held',
  flagged: 'reported',
  medianWait: 'Median wait to decision',
  noDecisions: 'no decisions yet',
  busiestNow: 'Busiest stories now',
  readers: 'readers',
  readersCol: 'Peak readers',
  heldCol: 'Held',
  nobodyReading: 'Nobody is reading right now.',
  perMinute: 'Comments and reactions per minute',
  readersChart: 'Peak readers per minute',
  comments: 'Comments',
  reactions: 'Reactions',
  mostActive: 'Most active articles (last hour)',
  article: 'Article',
  queue: 'Queue',
  openQueue: 'Open queue',
  nothingYet: 'No activity in this period yet.',
  range: 'Period',
  hours: (n: number) => `${n} h`,
  live: 'live',
  offline: 'reconnecting…',
  signOut: 'Sign out',
  console: 'Moderation console',
  failed: 'Could not load the statistics',
  minutes: (n: number) => `${n} min`,
  hoursLong: (n: number) => `${n} h`,
  daysLong: (n: number) => `${n} days`,
  over: (s: string) => `under ${s}`,
  overDay: 'over a day',
};

export type DashStrings = typeof en;

const hi: DashStrings = {
  title: 'न्यूज़रूम डैशबोर्ड',
  signInTitle: 'न्यूज़रूम डैशबोर्ड में साइन इन करें',
  readersNow: 'अभी पढ़ रहे हैं',
  commentsLastMinute: 'इस मिनट की टिप्पणियाँ',
  backlog: 'मॉडरेशन के इंतज़ार में',
  pending: 'रोकी गईं',
  flagged: 'रिपोर्ट की गईं',
  medianWait: 'फ़ैसले तक प्रतीक्षा (माध्यिका)',
  noDecisions: 'अभी कोई फ़ैसला नहीं',
  busiestNow: 'अभी सबसे ज़्यादा पढ़ी जा रही ख़बरें',
  readers: 'पाठक',
  readersCol: 'अधिकतम पाठक',
  heldCol: 'रोकी गईं',
  nobodyReading: 'अभी कोई नहीं पढ़ रहा।',
  perMinute: 'प्रति मिनट टिप्पणियाँ और प्रतिक्रियाएँ',
  readersChart: 'प्रति मिनट अधिकतम पाठक',
  comments: 'टिप्पणियाँ',
  reactions: 'प्रतिक्रियाएँ',
  mostActive: 'सबसे सक्रिय लेख (पिछला घंटा)',
  article: 'लेख',
  queue: 'कतार',
  openQueue: 'कतार खोलें',
  nothingYet: 'इस अवधि में अभी कोई गतिविधि नहीं।',
  range: 'अवधि',
  hours: (n) => `${n} घं.`,
  live: 'लाइव',
  offline: 'फिर से जुड़ रहे हैं…',
  signOut: 'साइन आउट',
  console: 'मॉडरेशन कंसोल',
  failed: 'आँकड़े लोड नहीं हो सके',
  minutes: (n) => `${n} मिनट`,
  hoursLong: (n) => `${n} घंटे`,
  daysLong: (n) => `${n} दिन`,
  over: (s) => `${s} से कम`,
  overDay: 'एक दिन से ज़्यादा',
};

export const DASH_STRINGS: Record<Lang, DashStrings> = { en, hi };

/** A wait bound in words: "under 5 min". */
export function waitText(t: DashStrings, ms: number): string {
  if (!Number.isFinite(ms)) return t.overDay;
  if (ms < 3_600_000) return t.over(t.minutes(Math.round(ms / 60_000)));
  if (ms < 86_400_000) return t.over(t.hoursLong(Math.round(ms / 3_600_000)));
  return t.over(t.daysLong(Math.round(ms / 86_400_000)));
}
