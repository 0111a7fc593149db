/** A ref that focuses its element once, when it first appears. */
export function focusOnce(el: HTMLElement | null): void {
  if (el && !el.dataset.f) {
    el.dataset.f = '1';
    el.focus();
  }
}
