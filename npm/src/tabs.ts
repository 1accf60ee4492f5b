// Shared tabs (`tabs: "shared"`, the default; docs/tabs.md): the tabs of one browser profile that use the same
// app id share one engine. The tabs elect a leader with the Web Locks API: every tab asks for one
// lock and holds it for its life once granted, so that the browser grants it to the next tab in
// line when the leader closes or crashes. The leader runs the engine (the wasm module, the
// WebSocket, the sync and the outbox); the others, the followers, talk to it over a
// BroadcastChannel: their calls go to the leader and come back with the result or the FlooError,
// and the leader posts every batch of events, in order, and after each batch the state the
// followers answer their synchronous reads from (TabState). This file is the channel and the
// election; client.ts decides what a call does in each role.

import { FlooError, type FlooErrorFields } from "./errors.js";

/** @internal What the leader publishes for the followers' synchronous reads. */
export interface TabState {
  /** The zero-argument reads: "isLogin", "state", "userManage.getUid"... */
  values: Record<string, unknown>;
  /** Per conversation id: "roster" or "group", messages, unread count, draft, members. */
  convs: Record<string, ConvState>;
}

/** @internal The reads of one conversation. */
export interface ConvState {
  group: boolean;
  messages: unknown[];
  unread: number;
  draft: string;
  members?: unknown[];
}

type Batch = Array<[string, unknown?]>;

/** A message on the channel. `to` names one tab; messages without it are for every tab. */
type Wire =
  | { t: "hello"; from: string }
  | { t: "leader"; from: string }
  | { t: "call"; from: string; to: string; id: number; path: string; args: unknown[]; cmid?: number }
  | { t: "reply"; from: string; to: string; id: number; ok: boolean; value?: unknown }
  | { t: "callback"; from: string; to: string; id: number; k: number; args: unknown[] }
  | { t: "ping"; from: string; to: string }
  | { t: "pong"; from: string; to: string }
  | { t: "events"; batch: Batch }
  | { t: "sent"; path: string; args: unknown[]; mid: string }
  | { t: "state"; to?: string; state: TabState; full: boolean };

/** @internal What a TabLink needs from its client. */
export interface TabHost {
  /** This tab holds the lock now: start the engine. */
  lead(): void;
  /** Runs a call of a follower (leader only). */
  run(path: string, args: unknown[], cmid: number | undefined): Promise<unknown>;
  /** A batch of the leader's events (followers only). */
  events(batch: Batch): void;
  /** The leader's state, whole or the changed conversations (followers only). */
  state(state: TabState, full: boolean): void;
  /** The state a new follower starts from (leader only). */
  snapshot(): TabState;
  /** A new leader (this tab or another) after the calls waiting for it were sent again. */
  changed(): void;
  /** This tab no longer leads (another took the lock from it): stop the engine. */
  depose(): void;
  /** A send the leader made itself, under client_mid mid, to keep until it is confirmed (followers only). */
  adopt(path: string, args: unknown[], mid: string): void;
}

/**
 * How often a follower checks that the leader answers, and after how many checks without an
 * answer it takes the lock from it (a tab frozen by the browser keeps its lock).
 */
const PING_MS = 2_000;
const PING_MISSES = 2;

interface Pending {
  path: string;
  args: unknown[];
  cmid: number | undefined;
  /** Sent to this leader; "" while none is known. */
  to: string;
  /** The functions among the arguments (progress callbacks), which the leader calls back. */
  fns: Array<(...a: unknown[]) => unknown>;
  resolve(v: unknown): void;
  reject(err: unknown): void;
}

/**
 * @internal The link of this tab to the others named `name`, or undefined where shared tabs
 * cannot work (no Web Locks, which need a secure context, or no BroadcastChannel; Node) or when
 * another client of this page has the link: the client then runs independently. The browser and
 * Node entries install it (client.ts entryHooks); the WeChat entry goes without.
 */
export function linkTabs(name: string, host: TabHost): TabLink | undefined {
  const g = globalThis as { BroadcastChannel?: unknown; navigator?: { locks?: { request?: unknown } }; process?: { versions?: { node?: string } } };
  // Node (24 has navigator.locks, shared by the threads of one process) has no tabs: independent.
  if (g.process?.versions?.node !== undefined) return undefined;
  if (typeof g.BroadcastChannel !== "function" || typeof g.navigator?.locks?.request !== "function") return undefined;
  // The clients of one page are independent of each other (JSAPI.md §14: a multi-account tool
  // may create several): only the first live one of an app joins the other tabs.
  if (linked.has(name)) return undefined;
  return new TabLink(name, host);
}

/** The names linked by a live client of this page. */
const linked = new Set<string>();

const ERR = "__flooError";
/** The stand-in of a function argument on the channel: `{ [FN]: its number }`. */
const FN = "__flooFn";

/** A plain object (an object literal, or one the structured clone made of it). */
function plain(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype;
}

/** A FlooError as the structured clone carries it (a clone of an Error keeps its message only). */
function packError(e: FlooError): unknown {
  const f: FlooErrorFields = { code: e.code, sdkCode: e.sdkCode, sdkName: e.sdkName, source: e.source, serverCode: e.serverCode, temporary: e.temporary };
  if (e.url !== undefined) f.url = e.url;
  return { [ERR]: [e.message, f] };
}

/** @internal Replaces FlooErrors, as a value or a field of one, for the channel. */
export function pack(v: unknown): unknown {
  if (v instanceof FlooError) return packError(v);
  if (plain(v)) {
    let out: Record<string, unknown> | undefined;
    for (const [k, f] of Object.entries(v)) {
      if (f instanceof FlooError) (out ??= { ...(v as Record<string, unknown>) })[k] = packError(f);
    }
    return out ?? v;
  }
  return v;
}

/** @internal The inverse of pack. */
export function unpack(v: unknown): unknown {
  const e = (x: unknown) => {
    const p = x !== null && typeof x === "object" ? (x as Record<string, unknown>)[ERR] : undefined;
    return Array.isArray(p) ? new FlooError(p[0] as string, p[1] as FlooErrorFields) : undefined;
  };
  const top = e(v);
  if (top) return top;
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, f] of Object.entries(v)) {
      const err = e(f);
      if (err) (v as Record<string, unknown>)[k] = err;
    }
  }
  return v;
}

/** A random id for this tab. */
function tabId(): string {
  return Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
}

/**
 * @internal One tab's side of the group: the lock, the channel, the calls it made that wait for
 * the leader. Every tab is a follower until the browser grants it the lock.
 */
export class TabLink {
  readonly id = tabId();
  readonly #channel: BroadcastChannel;
  readonly #host: TabHost;
  #leader = ""; // the leader's id; our own once we lead
  #followers = false; // another tab was heard from
  #closed = false;
  #release: (() => void) | undefined;
  #abort = new AbortController();
  readonly #name: string;
  #pinged = false; // a ping to the leader is unanswered
  #misses = 0;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #pending = new Map<number, Pending>();
  #next = 1;

  constructor(name: string, host: TabHost) {
    this.#host = host;
    this.#name = name;
    linked.add(name);
    this.#channel = new BroadcastChannel(name);
    this.#channel.onmessage = (e: MessageEvent<Wire>) => this.#receive(e.data);
    this.#channel.postMessage({ t: "hello", from: this.id } satisfies Wire);
    this.#queue(false);
    this.#timer = setInterval(() => this.#check(), PING_MS);
  }

  /**
   * Asks for the lock, in line (or, with steal, at once, taking it from a leader that stopped
   * answering). A lock taken from this tab while it leads deposes it.
   */
  #queue(steal: boolean): void {
    this.#abort.abort();
    const ac = (this.#abort = new AbortController());
    navigator.locks
      .request(this.#name, steal ? { steal: true } : { signal: ac.signal }, () => {
        if (this.#closed) return undefined;
        return new Promise<void>((resolve) => {
          this.#release = resolve;
          this.#takeOver();
        });
      })
      .catch(() => {
        // Aborted by close() or by a steal of ours, or taken from us.
        if (!this.#closed && this.leading) this.#deposed();
      });
  }

  /** The lock was taken from this tab: stop leading, and get in line again as a follower. */
  #deposed(): void {
    this.#leader = "";
    this.#release = undefined;
    this.#host.depose();
    this.#queue(false);
    // The new leader's announcement may have come while this tab was frozen: ask for it again,
    // with its state.
    this.#post({ t: "hello", from: this.id });
  }

  /**
   * Follower: pings the leader, and takes the lock from it after PING_MISSES checks without an
   * answer. A hidden tab's timers are throttled, which only makes the checks rarer; messages are
   * not throttled, so a leader that is merely hidden answers in time.
   */
  #check(): void {
    if (this.#closed || this.leading) return;
    if (this.#leader === "") {
      // No leader has answered since this tab asked: someone holds the lock (the browser would
      // have granted it to this tab otherwise) and does not answer. Ask again, then take it.
      if (++this.#misses <= PING_MISSES) this.#post({ t: "hello", from: this.id });
      else setTimeout(() => !this.#closed && this.#leader === "" && this.#queue(true), Math.random() * 1_000);
      return;
    }
    if (this.#pinged && ++this.#misses >= PING_MISSES) {
      const leader = this.#leader;
      // Another follower may get there first: wait a moment at random, then only if nobody has.
      setTimeout(() => {
        if (!this.#closed && this.#leader === leader && this.#misses >= PING_MISSES) this.#queue(true);
      }, Math.random() * 1_000);
      return;
    }
    this.#pinged = true;
    this.#post({ t: "ping", from: this.id, to: this.#leader });
  }

  /** True once this tab holds the lock. */
  get leading(): boolean {
    return this.#leader === this.id;
  }

  /**
   * True while this tab leads and no other tab has taken over since, by the record every new
   * leader writes in localStorage, which is shared and synchronous: a tab that was frozen still
   * believes it leads until it runs the task that tells it otherwise, and must not act on what
   * its engine learns meanwhile (a kick would erase the stored session the new leader runs on).
   */
  get current(): boolean {
    if (!this.leading) return false;
    try {
      const v = globalThis.localStorage?.getItem(this.#name + ":leader");
      return v === undefined || v === null || v === this.id;
    } catch {
      return true;
    }
  }

  /** True once another tab of the group was seen: the leader then publishes its events and state. */
  get followers(): boolean {
    return this.#followers;
  }

  #post(m: Wire): void {
    if (!this.#closed) this.#channel.postMessage(m);
  }

  #takeOver(): void {
    this.#leader = this.id;
    try {
      globalThis.localStorage?.setItem(this.#name + ":leader", this.id);
    } catch {
      // No localStorage: the lock alone decides.
    }
    this.#pinged = false;
    this.#misses = 0;
    this.#host.lead();
    this.#post({ t: "leader", from: this.id });
    // The sends the previous leader had taken (older) go first, then the calls this tab made as a
    // follower that were not answered: the engine queues them in this order.
    const pending = [...this.#pending];
    this.#host.changed();
    for (const [id, p] of pending) this.#redispatch(id, p);
  }

  /** Sends a call to the leader (or, once this tab leads, runs it here). */
  call(path: string, args: unknown[], cmid?: number): Promise<unknown> {
    if (this.#closed) return Promise.reject(FlooError.fromName("UserNotLogin", "the client is closed"));
    if (this.leading) return this.#host.run(path, args, cmid);
    // Functions cannot cross to another tab: each one, as an argument or a field of one (the
    // progress callbacks), goes as a numbered stand-in, and the leader calls back through it.
    const fns: Pending["fns"] = [];
    const stub = (f: unknown) => (typeof f === "function" ? { [FN]: fns.push(f as Pending["fns"][number]) - 1 } : f);
    args = args.map((v) => (plain(v) && Object.values(v).some((f) => typeof f === "function") ? Object.fromEntries(Object.entries(v).map(([k, f]) => [k, stub(f)])) : stub(v)));
    return new Promise((resolve, reject) => {
      const id = this.#next++;
      const p: Pending = { path, args, cmid, to: this.#leader, fns, resolve, reject };
      this.#pending.set(id, p);
      if (p.to !== "") this.#post({ t: "call", from: this.id, to: p.to, id, path, args, ...(cmid !== undefined ? { cmid } : {}) });
    });
  }

  /**
   * A new leader: a call the previous one got but did not answer is sent again when repeating it
   * is harmless (a send, under its client_mid, which the engine queues once; a read), and fails
   * otherwise with a temporary error, since it may have taken effect.
   */
  #redispatch(id: number, p: Pending): void {
    if (p.to !== "" && !repeatable(p.path)) {
      this.#pending.delete(id);
      p.reject(FlooError.fromName("GeneralError", `${p.path}: the tab running the SDK closed while the call was in progress; its outcome is unknown`, { temporary: true }));
      return;
    }
    p.to = this.#leader;
    if (this.leading) {
      this.#pending.delete(id);
      this.#host.run(p.path, p.args, p.cmid).then(p.resolve, p.reject);
      return;
    }
    this.#post({ t: "call", from: this.id, to: p.to, id, path: p.path, args: p.args, ...(p.cmid !== undefined ? { cmid: p.cmid } : {}) });
  }

  /** Leader: posts a batch of events to the followers. */
  events(batch: Batch): void {
    if (this.leading) this.#post({ t: "events", batch: batch.map(([n, p]) => (p === undefined ? [n] : [n, pack(p)])) as Batch });
  }

  /** Leader: tells the followers of a send it made itself (they keep it until it is confirmed). */
  sent(path: string, args: unknown[], mid: string): void {
    if (this.leading && this.#followers) {
      try {
        this.#post({ t: "sent", path, args, mid });
      } catch {
        // Arguments that cannot be cloned: this send is as safe as in an independent tab.
      }
    }
  }

  /** Leader: posts the state (the changed conversations only unless full). */
  state(state: TabState, full: boolean): void {
    if (this.leading) this.#post({ t: "state", state, full });
  }

  #receive(m: Wire): void {
    if (this.#closed) return;
    // Another tab exists: a leader publishes its events and state from now on. Any message counts,
    // not only a hello: a tab that takes over has followed a leader, and the tabs opened before it
    // said hello before it listened.
    this.#followers = true;
    switch (m.t) {
      case "hello":
        if (this.leading) {
          this.#post({ t: "leader", from: this.id });
          this.#post({ t: "state", to: m.from, state: this.#host.snapshot(), full: true });
        }
        return;
      case "leader":
        if (m.from === this.#leader) return;
        // Another tab took the lock while this one could not run (frozen, hung): it follows now,
        // before the events the new leader posts next.
        if (this.leading) this.#deposed();
        const first = this.#leader === "";
        this.#leader = m.from;
        this.#pinged = false;
        this.#misses = 0;
        // As in #takeOver: the sends the previous leader had taken first, then the unanswered calls.
        const pending = [...this.#pending];
        if (!first) this.#host.changed();
        for (const [id, p] of pending) this.#redispatch(id, p);
        return;
      case "call": {
        if (m.to !== this.id || !this.leading) return;
        // The stand-ins of the caller's functions become functions that call them back. Only
        // they are replaced: every other argument (a File, a Blob, a plain object) stays as is.
        const stand = (f: unknown): f is Record<string, number> => plain(f) && typeof f[FN] === "number";
        const back = (f: unknown) => (stand(f) ? (...args: unknown[]) => this.#post({ t: "callback", from: this.id, to: m.from, id: m.id, k: f[FN]!, args }) : f);
        const args = m.args.map((v) => (plain(v) && !stand(v) && Object.values(v).some(stand) ? Object.fromEntries(Object.entries(v).map(([k, f]) => [k, back(f)])) : back(v)));
        this.#host.run(m.path, args, m.cmid).then(
          (value) => this.#post({ t: "reply", from: this.id, to: m.from, id: m.id, ok: true, value: pack(value) }),
          (err) => this.#post({ t: "reply", from: this.id, to: m.from, id: m.id, ok: false, value: pack(err instanceof FlooError ? err : FlooError.fromName("GeneralError", String(err))) }),
        );
        return;
      }
      case "callback": {
        const p = m.to === this.id ? this.#pending.get(m.id) : undefined;
        if (!p || p.to !== m.from) return;
        try {
          p.fns[m.k]?.(...m.args);
        } catch (err) {
          console.error("floo: a callback threw", err);
        }
        return;
      }
      case "ping":
        if (m.to === this.id && this.leading) this.#post({ t: "pong", from: this.id, to: m.from });
        return;
      case "pong":
        if (m.to === this.id && m.from === this.#leader) {
          this.#pinged = false;
          this.#misses = 0;
        }
        return;
      case "reply": {
        if (m.to !== this.id) return;
        const p = this.#pending.get(m.id);
        // A late answer of a deposed leader: the call went again to the new one.
        if (!p || p.to !== m.from) return;
        this.#pending.delete(m.id);
        if (m.ok) p.resolve(unpack(m.value));
        else p.reject(unpack(m.value));
        return;
      }
      case "events":
        if (!this.leading) this.#host.events(m.batch.map(([n, p]) => (p === undefined ? [n] : [n, unpack(p)])) as Batch);
        return;
      case "sent":
        if (!this.leading) this.#host.adopt(m.path, m.args, m.mid);
        return;
      case "state":
        if (!this.leading && (m.to === undefined || m.to === this.id)) this.#host.state(m.state, m.full);
        return;
    }
  }

  /** Leaves the group: releases the lock (another tab takes over) and fails the calls still waiting. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    linked.delete(this.#name);
    clearInterval(this.#timer);
    this.#abort.abort();
    this.#release?.();
    this.#channel.close();
    for (const p of this.#pending.values()) p.reject(FlooError.fromName("UserNotLogin", "the client is closed"));
    this.#pending.clear();
  }
}

/** Calls that may run twice without harm: sends (queued once under their client_mid) and reads. */
function repeatable(path: string): boolean {
  const m = path.slice(path.indexOf(".") + 1);
  return path.startsWith("send:") || /^(asyncGet|asnycGet|get|isLogin|isReady|requireHistoryMessage)/.test(m);
}
