// The browser platform: WebSocket, fetch, XMLHttpRequest uploads, localStorage, and the online /
// offline and visibility signals. Everything is looked up lazily and injectable, so the same code
// runs in Node (tests, SSR) with a WebSocket constructor passed in.

import type {
  HttpRequest,
  HttpResponse,
  HttpTransport,
  KeyValueStorage,
  LocalStore,
  Platform,
  SocketHooks,
  SocketTransport,
  UploadRequest,
  WebSocketConstructor,
} from "../types.js";
import { memoryStorage } from "./memory.js";
import { indexedDBStore } from "../storage/indexeddb.js";

export { memoryStorage } from "./memory.js";

export interface BrowserPlatformOptions {
  /** WebSocket constructor. Default: `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** fetch. Default: `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** XMLHttpRequest constructor, for upload progress. Default: `globalThis.XMLHttpRequest`; without one uploads use fetch and report progress only at the end. */
  XMLHttpRequest?: typeof XMLHttpRequest;
  /** Storage. Default: `localStorage` when usable, memory otherwise. */
  storage?: KeyValueStorage;
  /** The local store. Default: {@link indexedDBStore} where IndexedDB exists. */
  localStore?: LocalStore;
  /** Where `online` and `offline` fire. Default: `globalThis` (window). */
  eventTarget?: EventTarget;
  /** The document whose `visibilitychange` is watched. Default: `globalThis.document`. */
  document?: Document;
}

/** The browser platform, with every piece overridable. */
export function browserPlatform(options: BrowserPlatformOptions = {}): Platform {
  return {
    transport: webSocketTransport(options.WebSocket),
    http: fetchTransport(options.fetch, options.XMLHttpRequest),
    storage: options.storage ?? webStorage(),
    localStore: options.localStore ?? indexedDBStore(),
    watchNetwork: (onChange) => watchNetwork(onChange, options.eventTarget),
    watchVisibility: (onChange) => watchVisibility(onChange, options.document),
  };
}

// ---------------------------------------------------------------------------------------------
// Socket.

/**
 * Codes a browser accepts in WebSocket.close(): 1000 and the application range. Anything else
 * (the engine may close with 1001 or 1006-style codes) throws InvalidAccessError there.
 */
function closeCode(code: number): number {
  return code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
}

/** WebSocket.close() accepts a reason of at most 123 UTF-8 bytes. */
function closeReason(reason: string): string {
  const bytes = new TextEncoder().encode(reason);
  if (bytes.length <= 123) return reason;
  return new TextDecoder().decode(bytes.subarray(0, 120)).replace(/\uFFFD+$/, "");
}

/**
 * A socket transport over WebSocket with `binaryType = "arraybuffer"`. Messages that still arrive
 * as Blobs (hosts that ignore binaryType) are converted in order.
 */
export function webSocketTransport(WS?: WebSocketConstructor): SocketTransport {
  return {
    connect(url: string, hooks: SocketHooks): WebSocket {
      const Ctor = WS ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
      if (typeof Ctor !== "function") {
        throw new Error("no WebSocket in this environment: pass one with the websocket option");
      }
      const ws = new Ctor(url);
      ws.binaryType = "arraybuffer";
      let order: Promise<void> | undefined;
      const deliver = (data: unknown): void => {
        if (data instanceof ArrayBuffer) {
          hooks.onmessage(new Uint8Array(data));
        } else if (ArrayBuffer.isView(data)) {
          hooks.onmessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        } else if (typeof data === "string") {
          hooks.onmessage(new TextEncoder().encode(data));
        }
      };
      // Once a Blob has to be read asynchronously, later events queue behind it.
      const inOrder = (fn: () => void): void => {
        if (order) order = order.then(fn);
        else fn();
      };
      ws.onopen = () => hooks.onopen();
      ws.onmessage = (ev: MessageEvent) => {
        const data: unknown = ev.data;
        if (typeof Blob !== "undefined" && data instanceof Blob) {
          order = (order ?? Promise.resolve()).then(() => data.arrayBuffer()).then(deliver, () => hooks.onerror("cannot read a message"));
        } else {
          inOrder(() => deliver(data));
        }
      };
      ws.onerror = () => inOrder(() => hooks.onerror("websocket error"));
      ws.onclose = (ev: CloseEvent) => inOrder(() => hooks.onclose(ev.code, ev.reason));
      return ws;
    },
    send(handle: unknown, data: Uint8Array): void {
      const ws = handle as WebSocket;
      // A socket that is closing or closed (its close event not handled yet) discards what it is
      // given, and Chrome logs an error for each send: skip them. The engine learns of the close
      // from the event, and its outbox sends again on the next connection.
      if (ws.readyState > 1) return;
      ws.send(data);
    },
    close(handle: unknown, code: number, reason: string): void {
      const ws = handle as WebSocket;
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      ws.close(closeCode(code), closeReason(reason));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP.

function headersObject(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}

/** Parses XMLHttpRequest.getAllResponseHeaders(). */
function parseHeaders(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of raw.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function fileBlob(req: UploadRequest): Blob {
  const f = req.file;
  if (typeof Blob !== "undefined" && f instanceof Blob) return f;
  if (f instanceof Uint8Array) return new Blob([f as Uint8Array<ArrayBuffer>], { type: req.contentType });
  throw new TypeError("upload: the file must be a Blob, a File or a Uint8Array in this environment");
}

function uploadForm(req: UploadRequest): FormData {
  const form = new FormData();
  for (const [name, value] of req.fields) form.append(name, value);
  form.append(req.fileField, fileBlob(req), req.fileName);
  return form;
}

/**
 * HTTP over fetch, and uploads over XMLHttpRequest for progress events (over fetch without
 * progress where there is no XMLHttpRequest, e.g. Node).
 */
export function fetchTransport(fetchFn?: typeof fetch, XHR?: typeof XMLHttpRequest): HttpTransport {
  const getFetch = (): typeof fetch => {
    const f = fetchFn ?? (globalThis as { fetch?: typeof fetch }).fetch;
    if (typeof f !== "function") throw new Error("no fetch in this environment");
    return f;
  };
  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      const init: RequestInit = { method: req.method, headers: req.headers };
      if (req.body !== null) init.body = req.body as Uint8Array<ArrayBuffer>;
      if (req.signal) init.signal = req.signal;
      const res = await getFetch()(req.url, init);
      return { status: res.status, headers: headersObject(res.headers), body: new Uint8Array(await res.arrayBuffer()) };
    },
    async upload(req: UploadRequest, onProgress: (loaded: number, total: number) => void): Promise<HttpResponse> {
      const Ctor = XHR ?? (globalThis as { XMLHttpRequest?: typeof XMLHttpRequest }).XMLHttpRequest;
      const form = uploadForm(req);
      if (typeof Ctor !== "function") {
        const init: RequestInit = { method: "POST", headers: req.headers, body: form };
        if (req.signal) init.signal = req.signal;
        const res = await getFetch()(req.url, init);
        const body = new Uint8Array(await res.arrayBuffer());
        onProgress(req.size, req.size);
        return { status: res.status, headers: headersObject(res.headers), body };
      }
      return xhrUpload(Ctor, req, form, onProgress);
    },
  };
}

function xhrUpload(Ctor: typeof XMLHttpRequest, req: UploadRequest, form: FormData, onProgress: (loaded: number, total: number) => void): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const xhr = new Ctor();
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      req.signal?.removeEventListener("abort", abort);
      fn();
    };
    const abort = () => xhr.abort();
    xhr.open("POST", req.url);
    xhr.responseType = "arraybuffer";
    for (const [name, value] of Object.entries(req.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (ev: ProgressEvent) => {
      if (!settled) onProgress(ev.loaded, ev.lengthComputable ? ev.total : 0);
    };
    xhr.onload = () =>
      settle(() =>
        resolve({
          status: xhr.status,
          headers: parseHeaders(xhr.getAllResponseHeaders()),
          body: new Uint8Array((xhr.response as ArrayBuffer | null) ?? new ArrayBuffer(0)),
        }),
      );
    xhr.onerror = () => settle(() => reject(new TypeError("upload failed: network error")));
    xhr.ontimeout = () => settle(() => reject(new DOMException("upload timed out", "TimeoutError")));
    xhr.onabort = () => settle(() => reject(new DOMException("upload aborted", "AbortError")));
    if (req.signal?.aborted) {
      settle(() => reject(new DOMException("upload aborted", "AbortError")));
      return;
    }
    req.signal?.addEventListener("abort", abort);
    xhr.send(form);
  });
}

// ---------------------------------------------------------------------------------------------
// Storage.

/**
 * localStorage, or memory when it is missing or unusable (Node, sandboxed iframes, some private
 * modes, where merely touching it throws).
 */
export function webStorage(storage?: Storage): KeyValueStorage {
  let s: Storage | undefined = storage;
  if (!s) {
    try {
      s = (globalThis as { localStorage?: Storage }).localStorage;
      if (s) {
        const probe = "floo.__probe__";
        s.setItem(probe, "1");
        s.removeItem(probe);
      }
    } catch {
      s = undefined;
    }
  }
  if (!s) return memoryStorage();
  const ls = s;
  return {
    get: (key) => ls.getItem(key),
    set: (key, value) => ls.setItem(key, value),
    remove: (key) => ls.removeItem(key),
  };
}

// ---------------------------------------------------------------------------------------------
// Signals.

function watchNetwork(onChange: (online: boolean) => void, target?: EventTarget): () => void {
  const t = target ?? (globalThis as unknown as Partial<EventTarget>);
  if (typeof t.addEventListener !== "function" || typeof t.removeEventListener !== "function") return () => {};
  const online = () => onChange(true);
  const offline = () => onChange(false);
  t.addEventListener("online", online);
  t.addEventListener("offline", offline);
  const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
  if (nav?.onLine === false) onChange(false);
  return () => {
    t.removeEventListener!("online", online);
    t.removeEventListener!("offline", offline);
  };
}

function watchVisibility(onChange: (visible: boolean) => void, doc?: Document): () => void {
  const d = doc ?? (globalThis as { document?: Document }).document;
  if (!d || typeof d.addEventListener !== "function") return () => {};
  const handler = () => onChange(d.visibilityState !== "hidden");
  d.addEventListener("visibilitychange", handler);
  return () => d.removeEventListener("visibilitychange", handler);
}
