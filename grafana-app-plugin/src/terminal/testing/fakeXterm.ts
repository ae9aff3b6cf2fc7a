/**
 * Stand-ins for @xterm/xterm and @xterm/addon-fit in jsdom (no layout, no canvas), for
 * `jest.mock('@xterm/xterm', () => require('.../fakeXterm'))`: a Terminal that keeps what was written
 * as text and lets a test type into it.
 */

type Listener<T> = (v: T) => void;

class Emitter<T> {
  private listeners = new Set<Listener<T>>();
  event = (l: Listener<T>) => {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  };
  fire(v: T) {
    this.listeners.forEach((l) => l(v));
  }
}

export class Terminal {
  static instances: Terminal[] = [];
  cols = 80;
  rows = 24;
  options: Record<string, unknown>;
  written = '';
  opened = false;
  disposed = false;
  focused = false;
  private decoder = new TextDecoder();
  private data = new Emitter<string>();
  private binary = new Emitter<string>();
  private resized = new Emitter<{ cols: number; rows: number }>();
  onData = this.data.event;
  onBinary = this.binary.event;
  onResize = this.resized.event;

  constructor(options: Record<string, unknown> = {}) {
    this.options = { ...options };
    Terminal.instances.push(this);
  }

  open() {
    this.opened = true;
  }
  loadAddon(addon: { activate?: (t: Terminal) => void }) {
    addon.activate?.(this);
  }
  write(data: string | Uint8Array) {
    this.written += typeof data === 'string' ? data : this.decoder.decode(data, { stream: true });
  }
  focus() {
    this.focused = true;
  }
  dispose() {
    this.disposed = true;
  }

  /** As if the user typed `text`. */
  type(text: string) {
    this.data.fire(text);
  }
  /** As if the fit addon found a new size. */
  resize(cols: number, rows: number) {
    this.cols = cols;
    this.rows = rows;
    this.resized.fire({ cols, rows });
  }
}

export class FitAddon {
  fits = 0;
  activate() {}
  dispose() {}
  fit() {
    this.fits += 1;
  }
}
