/**
 * What @grafana/ui's Combobox needs from the DOM and jsdom lacks: it watches its menu with an
 * IntersectionObserver and sizes its virtual option list from element sizes (jsdom lays nothing out, so
 * every size is 0 and no option would render). The canvas it measures text on is stubbed in setupTests.ts.
 * Call in a test file's beforeAll; it changes this file's jsdom only.
 */
export function supportCombobox(): void {
  class NoopObserver {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  }
  Object.assign(window, { IntersectionObserver: NoopObserver });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 400 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 400 });
}
