// The widget chunk that embed.js loads on demand: renders a comment section into a shadow root.
import { render } from 'preact';
import css from './styles.css';
import { Widget } from './Widget';
import type { MountOptions } from './loader';

let sheet: CSSStyleSheet | undefined;

function style(root: ShadowRoot) {
  try {
    sheet ??= new CSSStyleSheet();
    if (!sheet.cssRules.length) sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    // Older engines: a <style> element (constructable sheets also keep strict CSPs happy).
    const el = document.createElement('style');
    el.textContent = css;
    root.append(el);
  }
}

export function mount(host: HTMLElement, opts: MountOptions) {
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  style(root);
  const box = document.createElement('div');
  root.append(box);
  const editWindow = Number(host.dataset.charchaEditWindow);
  render(<Widget {...opts} root={root} editWindowSec={editWindow > 0 ? editWindow : undefined} />, box);
}

// embed.js waits for this: one entry per language chunk ("hi", "en"; "all" in development).
declare const __LOCALE__: string | undefined;
const w = window as unknown as { __charchaWidgets?: Record<string, unknown> };
(w.__charchaWidgets ??= {})[typeof __LOCALE__ === 'string' ? __LOCALE__ : 'all'] = { mount };
