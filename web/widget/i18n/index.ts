// Every interface string, one catalogue per language. The build makes one widget chunk per
// language and swaps this module for one that holds only that language (scripts/build.mjs).
import { en, type Catalogue } from './en';
import { hi } from './hi';
import type { Locale } from '../locale';

export type { Catalogue, Locale };

export function catalogue(locale: Locale): Catalogue {
  return locale === 'hi' ? hi : en;
}
