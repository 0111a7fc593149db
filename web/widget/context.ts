// What every component of one widget shares: texts, the reader, and the thread's actions.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Catalogue, Locale } from './i18n';
import type { Reader } from './identity';
import type { WidgetComment } from './sdk';

export interface WidgetApi {
  t: Catalogue;
  locale: Locale;
  num: (n: number) => string;
  now: number;
  reader: Reader | null;
  guests: boolean;
  locked: boolean;
  canSignIn: boolean;
  editWindowSec: number;
  fresh: Set<string>;
  /** True for the live echo of the reader's own post while that post is still in flight. */
  hidden(c: WidgetComment): boolean;
  /** The guest name, shared by every box of the widget. */
  guestName: string;
  setGuestName(name: string): void;
  signIn(): void;
  post(body: string, parentId?: string, guestName?: string): Promise<WidgetComment | undefined>;
  like(c: WidgetComment, on: boolean): Promise<void>;
  edit(id: string, body: string): Promise<void>;
  remove(id: string): Promise<void>;
  flag(id: string, reason: string, note?: string): Promise<void>;
  loadReplies(id: string): Promise<void>;
  explain(err: unknown): string;
}

export const WidgetContext = createContext<WidgetApi>(null as unknown as WidgetApi);
export const useWidget = () => useContext(WidgetContext);
