// A small Socket.IO client: protocol v5 over Engine.IO v4, WebSocket transport only, with the
// part of socket.io-client's API the SDK uses: io(url, {auth, path}), on, emit with
// acknowledgements, timeout(ms).emit, connected, active, connect(), disconnect(),
// removeAllListeners(); it reconnects with a jittered backoff like socket.io-client's manager.
//
// Why: the SDK (about 11 KB gzipped), socket.io-client (12.8 KB) and Preact (6 KB) alone fill
// the widget's 30 KB budget. This file does the same job for the widget in about 1.5 KB; what
// it gives up is the HTTP long-polling fallback for networks that block WebSockets.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Fn = (...args: any[]) => void;

export interface MiniSocketOptions {
  auth?: object | ((cb: (data: object) => void) => void);
  path?: string;
}

export class MiniSocket {
  connected = false;
  /** True while the socket wants to be connected (it retries on its own). */
  active = false;
  private ws: WebSocket | undefined;
  private readonly handlers = new Map<string, Set<Fn>>();
  private readonly acks = new Map<number, Fn>();
  private ids = 0;
  private buffer: string[] = [];
  private readonly nsp: string;
  private readonly endpoint: string;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private aliveTimer: ReturnType<typeof setTimeout> | undefined;
  private alive = 45_000;

  constructor(url: string, private readonly o: MiniSocketOptions = {}) {
    const u = new URL(url);
    this.nsp = u.pathname.replace(/\/+$/, '') || '/';
    this.endpoint = `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}${o.path ?? '/socket.io/'}?EIO=4&transport=websocket`;
    this.connect();
  }

  on(event: string, fn: Fn): this {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(fn);
    return this;
  }

  off(event: string, fn: Fn): this {
    this.handlers.get(event)?.delete(fn);
    return this;
  }

  removeAllListeners(): this {
    this.handlers.clear();
    return this;
  }

  connect(): this {
    this.active = true;
    if (!this.ws) this.open();
    return this;
  }

  disconnect(): this {
    if (this.connected) this.send(`41${this.prefix()}`);
    this.active = false;
    this.drop('io client disconnect');
    return this;
  }

  emit(event: string, ...args: unknown[]): this {
    let id = '';
    if (typeof args[args.length - 1] === 'function') {
      const n = this.ids++;
      this.acks.set(n, args.pop() as Fn);
      id = String(n);
    }
    const packet = `42${this.prefix()}${id}${JSON.stringify([event, ...args])}`;
    if (this.connected) this.send(packet);
    else this.buffer.push(packet);
    return this;
  }

  /** emit() whose acknowledgement callback gets an Error first when no answer came in time. */
  timeout(ms: number): { emit(event: string, ...args: unknown[]): void } {
    return {
      emit: (event, ...args) => {
        const cb = args.pop() as Fn;
        let done = false;
        const timer = setTimeout(() => {
          done = true;
          cb(new Error('operation has timed out'));
        }, ms);
        this.emit(event, ...args, (...answer: unknown[]) => {
          if (done) return;
          clearTimeout(timer);
          cb(null, ...answer);
        });
      },
    };
  }

  private prefix(): string {
    return this.nsp === '/' ? '' : `${this.nsp},`;
  }

  private fire(event: string, ...args: unknown[]) {
    for (const fn of [...(this.handlers.get(event) ?? [])]) fn(...args);
  }

  private send(frame: string) {
    if (this.ws?.readyState === 1) this.ws.send(frame);
  }

  private open() {
    clearTimeout(this.retryTimer);
    const ws = (this.ws = new WebSocket(this.endpoint));
    ws.onmessage = (e) => this.frame(String(e.data));
    ws.onclose = () => this.drop('transport close');
    this.watch();
  }

  /** The server pings every pingInterval; silence for longer means the link is dead. */
  private watch() {
    clearTimeout(this.aliveTimer);
    this.aliveTimer = setTimeout(() => this.drop('ping timeout'), this.alive);
  }

  private drop(reason: string) {
    const ws = this.ws;
    if (!ws) return;
    ws.onmessage = ws.onclose = null;
    ws.close();
    this.ws = undefined;
    clearTimeout(this.aliveTimer);
    const was = this.connected;
    this.connected = false;
    if (was) this.fire('disconnect', reason);
    else if (this.active) this.fire('connect_error', new Error(reason === 'transport close' ? 'websocket error' : reason));
    if (this.active) {
      const delay = Math.min(1000 * 2 ** this.attempts++, 5000) * (0.5 + Math.random());
      this.retryTimer = setTimeout(() => this.active && !this.ws && this.open(), delay);
    }
  }

  private frame(data: string) {
    this.watch();
    const kind = data[0];
    if (kind === '0') {
      const hs = JSON.parse(data.slice(1));
      this.alive = hs.pingInterval + hs.pingTimeout;
      this.watch();
      const auth = this.o.auth;
      const go = (a?: object) => this.send(`40${this.prefix()}${a ? JSON.stringify(a) : ''}`);
      if (typeof auth === 'function') auth(go);
      else go(auth);
    } else if (kind === '2') this.send('3');
    else if (kind === '1') this.drop('transport close');
    else if (kind === '4') this.packet(data.slice(1));
  }

  private packet(p: string) {
    const type = p[0];
    let i = 1;
    let nsp = '/';
    if (p[i] === '/') {
      const end = p.indexOf(',', i);
      nsp = p.slice(i, end < 0 ? undefined : end);
      i = end < 0 ? p.length : end + 1;
    }
    if (nsp !== this.nsp) return;
    const start = i;
    while (p[i] >= '0' && p[i] <= '9') i++;
    const id = i > start ? Number(p.slice(start, i)) : undefined;
    const data = i < p.length ? JSON.parse(p.slice(i)) : undefined;
    if (type === '0') {
      this.connected = true;
      this.attempts = 0;
      const queued = this.buffer;
      this.buffer = [];
      queued.forEach((f) => this.send(f));
      this.fire('connect');
    } else if (type === '1') {
      this.active = false;
      this.drop('io server disconnect');
    } else if (type === '2') {
      const [event, ...args] = data as [string, ...unknown[]];
      if (id !== undefined) args.push((...answer: unknown[]) => this.send(`43${this.prefix()}${id}${JSON.stringify(answer)}`));
      this.fire(event, ...args);
    } else if (type === '3' && id !== undefined) {
      const fn = this.acks.get(id);
      this.acks.delete(id);
      fn?.(...(data as unknown[]));
    } else if (type === '4') {
      // Refused by the server's middleware: socket.io-client stops retrying too.
      this.active = false;
      this.drop('refused');
      this.fire('connect_error', Object.assign(new Error(data?.message ?? 'refused'), { data: data?.data }));
    }
  }
}

export function io(url: string, opts?: MiniSocketOptions): MiniSocket {
  return new MiniSocket(url, opts);
}
