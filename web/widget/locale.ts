// The interface language: data-locale, else the page's <html lang>, else the browser.
export type Locale = 'hi' | 'en';

export function pickLocale(explicit?: string | null): Locale {
  const tags = [explicit, document.documentElement.lang, ...(navigator.languages ?? [navigator.language])];
  for (const tag of tags) {
    const base = tag?.trim().toLowerCase().split(/[-_]/)[0];
    if (base === 'hi' || base === 'en') return base;
  }
  return 'en';
}
