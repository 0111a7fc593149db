// "3 min ago" in the interface language; the exact time in the title.
import type { Lang } from './i18n';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

export function ago(iso: string, lang: Lang, justNow: string, now = Date.now()): string {
  const ms = new Date(iso).getTime() - now;
  const fmt = new Intl.RelativeTimeFormat(lang === 'hi' ? 'hi-IN' : 'en', { numeric: 'auto', style: 'short' });
  for (const [unit, size] of UNITS) if (Math.abs(ms) >= size) return fmt.format(Math.round(ms / size), unit);
  return justNow;
}

export function exact(iso: string, lang: Lang): string {
  return new Date(iso).toLocaleString(lang === 'hi' ? 'hi-IN' : 'en-IN');
}
