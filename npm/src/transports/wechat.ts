// The WeChat mini-program platform: wx.connectSocket (SocketTask), wx.request, wx.uploadFile,
// wx.*StorageSync, and the app show/hide and network status signals, shaped to the same transport
// interfaces as transports/browser.ts (see jsbridge/transport_js.go for the Go side). Every wx
// API reports through success/fail callbacks; they are turned into the Promises and hooks Go
// expects here. `wx` is looked up when a call is made, and injectable (tests, other hosts with a
// wx-compatible API).

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
} from "../types.js";
import { Utf8TextDecoder, Utf8TextEncoder } from "../polyfills/text.js";
import { wxLocalStore } from "../storage/wechat.js";

// ---------------------------------------------------------------------------------------------
// The part of the wx API this file uses (see WeChat's API reference for the full shapes).

/** What every wx callback receives on failure. */
export interface WxError {
  errMsg?: string;
  errno?: number;
}

/** A WebSocket task from wx.connectSocket. */
export interface WxSocketTask {
  send(options: { data: ArrayBuffer | string; success?(): void; fail?(err: WxError): void }): void;
  close(options: { code?: number; reason?: string; success?(): void; fail?(err: WxError): void }): void;
  onOpen(listener: (res: { header?: Record<string, string> }) => void): void;
  onMessage(listener: (res: { data: ArrayBuffer | string }) => void): void;
  onClose(listener: (res: { code?: number; reason?: string }) => void): void;
  onError(listener: (res: WxError) => void): void;
}

/** wx.request's options. */
export interface WxRequestOptions {
  url: string;
  method?: string;
  header?: Record<string, string>;
  data?: ArrayBuffer | string | object;
  dataType?: string;
  responseType?: "text" | "arraybuffer";
  timeout?: number;
  enableHttp2?: boolean;
  enableQuic?: boolean;
  success?(res: { statusCode: number; header?: Record<string, string>; data: ArrayBuffer | string | object }): void;
  fail?(err: WxError): void;
}

/** wx.uploadFile's options. */
export interface WxUploadOptions {
  url: string;
  filePath: string;
  name: string;
  header?: Record<string, string>;
  formData?: Record<string, string>;
  timeout?: number;
  success?(res: { statusCode: number; data: string }): void;
  fail?(err: WxError): void;
}

/** An upload task from wx.uploadFile. */
export interface WxUploadTask {
  abort(): void;
  onProgressUpdate?(listener: (res: { progress: number; totalBytesSent: number; totalBytesExpectedToSend: number }) => void): void;
  onHeadersReceived?(listener: (res: { header: Record<string, string> }) => void): void;
}

/** The file system manager, used to write bytes to a temporary file before wx.uploadFile. */
export interface WxFileSystemManager {
  mkdir(options: { dirPath: string; recursive?: boolean; success?(): void; fail?(err: WxError): void }): void;
  writeFile(options: { filePath: string; data: ArrayBuffer | string; encoding?: string; success?(): void; fail?(err: WxError): void }): void;
  rmdir(options: { dirPath: string; recursive?: boolean; success?(): void; fail?(err: WxError): void }): void;
}

/** The wx API surface the SDK uses. */
export interface WxApi {
  connectSocket(options: {
    url: string;
    header?: Record<string, string>;
    protocols?: string[];
    tcpNoDelay?: boolean;
    perMessageDeflate?: boolean;
    timeout?: number;
    success?(): void;
    fail?(err: WxError): void;
  }): WxSocketTask;
  request(options: WxRequestOptions): { abort(): void };
  uploadFile(options: WxUploadOptions): WxUploadTask;
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, value: unknown): void;
  removeStorageSync(key: string): void;
  getStorageInfoSync?(): { keys: string[] };
  onNetworkStatusChange?(listener: (res: { isConnected: boolean; networkType?: string }) => void): void;
  offNetworkStatusChange?(listener?: (res: { isConnected: boolean; networkType?: string }) => void): void;
  getNetworkType?(options: { success?(res: { networkType: string }): void; fail?(err: WxError): void }): void;
  onAppShow?(listener: (res?: unknown) => void): void;
  offAppShow?(listener?: (res?: unknown) => void): void;
  onAppHide?(listener: (res?: unknown) => void): void;
  offAppHide?(listener?: (res?: unknown) => void): void;
  getFileSystemManager?(): WxFileSystemManager;
  env?: { USER_DATA_PATH?: string };
  getRandomValues?(options: { length: number; success?(res: { randomValues: ArrayBuffer }): void; fail?(err: WxError): void }): void;
}

declare const wx: WxApi | undefined;

/** The host's `wx`, or undefined outside a mini-program. */
export function hostWx(): WxApi | undefined {
  if (typeof wx !== "undefined" && wx) return wx;
  return (globalThis as { wx?: WxApi }).wx;
}

function requireWx(given: WxApi | undefined): WxApi {
  const w = given ?? hostWx();
  if (!w) throw new Error("no wx in this environment: this transport runs in WeChat mini-programs (or pass a wx-compatible object)");
  return w;
}

const encoder = new Utf8TextEncoder();
const decoder = new Utf8TextDecoder();

/** Turns a wx failure into an Error; timeouts are named TimeoutError and aborts AbortError (jsbridge maps the names). */
export function wxFailure(api: string, err: WxError | undefined): Error {
  const msg = (err && typeof err.errMsg === "string" && err.errMsg) || `${api}:fail`;
  const e = new Error(msg) as Error & { errno?: number };
  if (/time ?out|timed out/i.test(msg)) e.name = "TimeoutError";
  else if (/abort/i.test(msg)) e.name = "AbortError";
  else e.name = "NetworkError";
  if (err && typeof err.errno === "number") e.errno = err.errno;
  return e;
}

/** An ArrayBuffer holding exactly the bytes of b (b's own buffer when it already does). */
function exactBuffer(b: Uint8Array): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && Object.prototype.toString.call(b.buffer) === "[object ArrayBuffer]") {
    return b.buffer as ArrayBuffer;
  }
  return b.slice().buffer as ArrayBuffer;
}

function isArrayBuffer(v: unknown): v is ArrayBuffer {
  return Object.prototype.toString.call(v) === "[object ArrayBuffer]";
}

/** Lower-cases header names (wx reports them as the server sent them). */
function lowerHeaders(h: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h || typeof h !== "object") return out;
  for (const k of Object.keys(h)) {
    const v = h[k];
    if (v === undefined || v === null) continue;
    const name = k.toLowerCase();
    const value = Array.isArray(v) ? v.join(", ") : String(v);
    out[name] = name in out ? `${out[name]}, ${value}` : value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Socket.

/** Options of {@link wxSocketTransport}, passed on to wx.connectSocket. */
export interface WxSocketOptions {
  /** TCP_NODELAY (base library 2.4.0). Default true: XSYNC frames are small and latency-bound. */
  tcpNoDelay?: boolean;
  /** The permessage-deflate extension (2.8.0). Default false: frames are small protobufs. */
  perMessageDeflate?: boolean;
  /** Connection timeout in ms (2.10.0); default: the app's networkTimeout.connectSocket. */
  timeout?: number;
  /** Extra handshake headers (Referer cannot be set). */
  header?: Record<string, string>;
}

/** Codes SocketTask.close accepts without failing: 1000 and the application range, as browsers. */
function closeCode(code: number): number {
  return code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
}

/** A close reason of at most 123 UTF-8 bytes (RFC 6455), cut at a character boundary. */
function closeReason(reason: string): string {
  const bytes = encoder.encode(reason);
  if (bytes.length <= 123) return reason;
  let end = 123;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return decoder.decode(bytes.subarray(0, end));
}

/** The state of one connection of {@link wxSocketTransport}. */
interface WxSocketHandle {
  task: WxSocketTask | undefined;
  open: boolean;
  /** close() was called; an onOpen that still arrives must close the task again. */
  closing: boolean;
  /** onclose was delivered: nothing more is reported. */
  done: boolean;
  closeArgs: { code: number; reason: string };
  /** Reports an error and then a close (code 1006), once. */
  fail(message: string): void;
}

/**
 * A socket transport over wx.connectSocket's SocketTask. Binary frames are sent as ArrayBuffers
 * and text frames (which the server does not send) are passed on as UTF-8 bytes.
 *
 * WeChat quirks handled here: a connectSocket `fail` (bad URL, domain not whitelisted, the limit
 * of 5 concurrent sockets) is reported as an error followed by a close; a close() issued before
 * the socket opened does not stop it from opening (the documented timing problem of
 * wx.closeSocket), so the task is closed again when onOpen arrives; a failed send (the socket died
 * without telling) ends the connection, so the engine reconnects and resynchronises instead of
 * waiting for an acknowledgement that will not come.
 */
export function wxSocketTransport(wxApi?: WxApi, options: WxSocketOptions = {}): SocketTransport {
  return {
    connect(url: string, hooks: SocketHooks): WxSocketHandle {
      const w = requireWx(wxApi);
      const h: WxSocketHandle = {
        task: undefined,
        open: false,
        closing: false,
        done: false,
        closeArgs: { code: 1000, reason: "" },
        fail(message: string): void {
          if (h.done || h.closing) return;
          h.done = true;
          h.open = false;
          hooks.onerror(message);
          hooks.onclose(1006, message);
        },
      };
      const task = w.connectSocket({
        url,
        tcpNoDelay: options.tcpNoDelay ?? true,
        ...(options.perMessageDeflate !== undefined ? { perMessageDeflate: options.perMessageDeflate } : {}),
        ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
        ...(options.header ? { header: { ...options.header } } : {}),
        fail: (err) => h.fail(wxFailure("connectSocket", err).message),
      });
      if (!task || typeof task.onOpen !== "function") {
        // Reported asynchronously, as every wx outcome is: Go is still inside connect().
        Promise.resolve().then(() => h.fail("connectSocket returned no SocketTask"));
        return h;
      }
      h.task = task;
      task.onOpen(() => {
        if (h.closing) {
          task.close({ ...h.closeArgs, fail: () => {} });
          return;
        }
        if (h.done) return;
        h.open = true;
        hooks.onopen();
      });
      task.onMessage((res) => {
        if (h.done || h.closing) return;
        const data = res ? res.data : undefined;
        if (isArrayBuffer(data)) hooks.onmessage(new Uint8Array(data));
        else if (ArrayBuffer.isView(data)) hooks.onmessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        else if (typeof data === "string") hooks.onmessage(encoder.encode(data));
      });
      task.onError((res) => {
        if (h.done || h.closing) return;
        hooks.onerror(wxFailure("socket", res).message);
      });
      task.onClose((res) => {
        h.open = false;
        if (h.done || h.closing) {
          h.done = true;
          return;
        }
        h.done = true;
        hooks.onclose(typeof res?.code === "number" ? res.code : 1006, typeof res?.reason === "string" ? res.reason : "");
      });
      return h;
    },
    send(handle: unknown, data: Uint8Array): void {
      const h = handle as WxSocketHandle;
      const task = h.task;
      if (!task || h.done || h.closing || !h.open) throw new Error("socket is not open");
      task.send({
        data: exactBuffer(data),
        fail: (err) => {
          if (h.done || h.closing) return;
          // The frame is lost: end the connection so the engine reconnects and resynchronises.
          h.fail(wxFailure("send", err).message);
          task.close({ code: 1000, reason: "send failed", fail: () => {} });
        },
      });
    },
    close(handle: unknown, code: number, reason: string): void {
      const h = handle as WxSocketHandle;
      if (h.closing) return;
      h.closing = true;
      h.closeArgs = { code: closeCode(code), reason: closeReason(reason) };
      if (h.done || !h.task) return;
      // Before onOpen this may not take effect (see above); onOpen closes again.
      h.task.close({ ...h.closeArgs, fail: () => {} });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP.

/** Options of {@link wxHttpTransport}, passed on to wx.request and wx.uploadFile. */
export interface WxHttpOptions {
  /** Timeout of each wx.request in ms (2.10.0); default: the app's networkTimeout.request (60 s). The SDK bounds requests itself too. */
  timeout?: number;
  /** Timeout of each wx.uploadFile in ms (2.10.0); default: the app's networkTimeout.uploadFile. */
  uploadTimeout?: number;
  /** HTTP/2 for wx.request (2.10.4). Default false, the platform default. */
  enableHttp2?: boolean;
  /** QUIC for wx.request (2.10.4). Default false, the platform default. */
  enableQuic?: boolean;
}

/** Rejects when signal is already aborted, and aborts task when it aborts later; returns the cleanup. */
function linkAbort(signal: AbortSignal | undefined, task: { abort(): void } | undefined): () => void {
  if (!signal || !task || typeof signal.addEventListener !== "function") return () => {};
  const onAbort = () => task.abort();
  signal.addEventListener("abort", onAbort);
  return () => signal.removeEventListener("abort", onAbort);
}

function abortError(): Error {
  const e = new Error("request aborted");
  e.name = "AbortError";
  return e;
}

/** A response body as bytes, whatever form wx delivered it in. */
function bodyBytes(data: unknown): Uint8Array {
  if (isArrayBuffer(data)) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === "string") return encoder.encode(data);
  if (data === undefined || data === null) return new Uint8Array(0);
  // dataType "json" parsed it (it is not requested, but a host may do it anyway).
  return encoder.encode(JSON.stringify(data));
}

/** A file or directory name that is safe inside USER_DATA_PATH. */
function safeName(name: string): string {
  const s = name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_").replace(/^\.+/, "_").slice(0, 100);
  return s || "file";
}

let tempSeq = 0;

/** Calls a wx async API and resolves on success. */
function wxCall<O extends { success?(): void; fail?(err: WxError): void }>(api: string, fn: (o: O) => void, options: Omit<O, "success" | "fail">): Promise<void> {
  return new Promise((resolve, reject) => {
    fn({ ...options, success: () => resolve(), fail: (err: WxError) => reject(wxFailure(api, err)) } as O);
  });
}

/**
 * Writes bytes to a temporary file named fileName (wx.uploadFile takes only a path, and names the
 * form part after the file), in a directory of its own under wx.env.USER_DATA_PATH. Returns the
 * path and a cleanup that removes the directory.
 */
async function tempFile(w: WxApi, fileName: string, bytes: Uint8Array): Promise<{ path: string; remove(): void }> {
  const fsm = typeof w.getFileSystemManager === "function" ? w.getFileSystemManager() : undefined;
  const root = w.env?.USER_DATA_PATH;
  if (!fsm || !root) throw new TypeError("upload: bytes need wx.getFileSystemManager and wx.env.USER_DATA_PATH; pass a file path instead");
  const dir = `${root}/floo-upload-${Date.now().toString(36)}-${(++tempSeq).toString(36)}`;
  await wxCall("mkdir", fsm.mkdir.bind(fsm), { dirPath: dir, recursive: true });
  const remove = () => fsm.rmdir({ dirPath: dir, recursive: true, fail: () => {} });
  const path = `${dir}/${safeName(fileName)}`;
  try {
    await wxCall("writeFile", fsm.writeFile.bind(fsm), { filePath: path, data: exactBuffer(bytes) });
  } catch (e) {
    remove();
    throw e;
  }
  return { path, remove };
}

/**
 * HTTP over wx.request (binary bodies both ways: `responseType: "arraybuffer"` and a dataType
 * other than "json", so nothing is parsed) and uploads over wx.uploadFile.
 *
 * wx.uploadFile sends a file path, not bytes: a path string (from wx.chooseMessageFile,
 * wx.chooseMedia...) is uploaded as is, and bytes are first written to a temporary file under
 * wx.env.USER_DATA_PATH. Its form fields are an object, so a repeated field name keeps its last
 * value, and its response has only a status and a text body (headers when the base library
 * reports them through onHeadersReceived).
 */
export function wxHttpTransport(wxApi?: WxApi, options: WxHttpOptions = {}): HttpTransport {
  return {
    request(req: HttpRequest): Promise<HttpResponse> {
      return new Promise((resolve, reject) => {
        if (req.signal?.aborted) {
          reject(abortError());
          return;
        }
        const w = requireWx(wxApi);
        let unlink = () => {};
        const o: WxRequestOptions = {
          url: req.url,
          method: req.method.toUpperCase(),
          header: { ...req.headers },
          responseType: "arraybuffer",
          dataType: "binary",
          success: (res) => {
            unlink();
            resolve({ status: res.statusCode, headers: lowerHeaders(res.header), body: bodyBytes(res.data) });
          },
          fail: (err) => {
            unlink();
            reject(wxFailure("request", err));
          },
        };
        if (req.body !== null && req.body !== undefined) o.data = exactBuffer(req.body);
        if (options.timeout !== undefined) o.timeout = options.timeout;
        if (options.enableHttp2 !== undefined) o.enableHttp2 = options.enableHttp2;
        if (options.enableQuic !== undefined) o.enableQuic = options.enableQuic;
        unlink = linkAbort(req.signal, w.request(o));
      });
    },
    async upload(req: UploadRequest, onProgress: (loaded: number, total: number) => void): Promise<HttpResponse> {
      if (req.signal?.aborted) throw abortError();
      const w = requireWx(wxApi);
      let path: string;
      let cleanup = () => {};
      if (typeof req.file === "string") {
        path = req.file;
      } else if (req.file instanceof Uint8Array || ArrayBuffer.isView(req.file)) {
        const v = req.file as ArrayBufferView;
        const t = await tempFile(w, req.fileName || "file", new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
        path = t.path;
        cleanup = t.remove;
      } else {
        throw new TypeError("upload: in a mini-program the file must be a path (from wx.chooseMessageFile, wx.chooseMedia...) or bytes");
      }
      const header: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (k.toLowerCase() !== "content-type") header[k] = v;
      }
      const formData: Record<string, string> = {};
      for (const [k, v] of req.fields) formData[k] = v;
      try {
        return await new Promise<HttpResponse>((resolve, reject) => {
          if (req.signal?.aborted) {
            reject(abortError());
            return;
          }
          let headers: Record<string, string> = {};
          let unlink = () => {};
          const o: WxUploadOptions = {
            url: req.url,
            filePath: path,
            name: req.fileField || "file",
            header,
            formData,
            success: (res) => {
              unlink();
              // Not every base library reports the last progress event: report completion.
              if (req.size > 0) onProgress(req.size, req.size);
              resolve({ status: res.statusCode, headers, body: bodyBytes(res.data) });
            },
            fail: (err) => {
              unlink();
              reject(wxFailure("uploadFile", err));
            },
          };
          if (options.uploadTimeout !== undefined) o.timeout = options.uploadTimeout;
          const task = w.uploadFile(o);
          unlink = linkAbort(req.signal, task);
          if (task && typeof task.onProgressUpdate === "function") {
            task.onProgressUpdate((p) => {
              if (typeof p?.totalBytesSent === "number") onProgress(p.totalBytesSent, p.totalBytesExpectedToSend || req.size);
            });
          }
          if (task && typeof task.onHeadersReceived === "function") {
            task.onHeadersReceived((r) => {
              headers = lowerHeaders(r?.header);
            });
          }
        });
      } finally {
        cleanup();
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Storage.

/**
 * The SDK's storage over wx.getStorageSync, wx.setStorageSync and wx.removeStorageSync (10 MB per
 * mini-program and user, 1 MB per key). wx.getStorageSync answers "" for a missing key, so an
 * empty string is told apart from a missing key through wx.getStorageInfoSync().keys. Values that
 * are not strings (another part of the app using the same key) read as missing.
 */
export function wxStorage(wxApi?: WxApi): KeyValueStorage {
  return {
    get(key: string): string | null {
      const w = requireWx(wxApi);
      let v: unknown;
      try {
        v = w.getStorageSync(key);
      } catch {
        return null;
      }
      if (typeof v !== "string") return null;
      if (v !== "") return v;
      try {
        const info = typeof w.getStorageInfoSync === "function" ? w.getStorageInfoSync() : undefined;
        return info && Array.isArray(info.keys) && info.keys.includes(key) ? "" : null;
      } catch {
        return null;
      }
    },
    set(key: string, value: string): void {
      requireWx(wxApi).setStorageSync(key, value);
    },
    remove(key: string): void {
      requireWx(wxApi).removeStorageSync(key);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Signals.

/**
 * Reports network changes from wx.onNetworkStatusChange, and an initial offline state from
 * wx.getNetworkType. Returns an unsubscribe function (a no-op subscription stays registered on
 * base libraries before 2.9.3, which lack offNetworkStatusChange, but reports nothing).
 */
export function watchWxNetwork(onChange: (online: boolean) => void, wxApi?: WxApi): () => void {
  const w = wxApi ?? hostWx();
  if (!w || typeof w.onNetworkStatusChange !== "function") return () => {};
  let live = true;
  const listener = (res: { isConnected: boolean }) => {
    if (live) onChange(Boolean(res?.isConnected));
  };
  w.onNetworkStatusChange(listener);
  if (typeof w.getNetworkType === "function") {
    w.getNetworkType({
      success: (res) => {
        if (live && res?.networkType === "none") onChange(false);
      },
      fail: () => {},
    });
  }
  return () => {
    live = false;
    if (typeof w.offNetworkStatusChange === "function") w.offNetworkStatusChange(listener);
  };
}

/**
 * Reports the mini-program coming to the foreground (wx.onAppShow) and going to the background
 * (wx.onAppHide). WeChat closes sockets of a mini-program left in the background for a while
 * (onClose with reason "interrupted"); on show the engine reconnects at once instead of waiting
 * out its backoff.
 */
export function watchWxVisibility(onChange: (visible: boolean) => void, wxApi?: WxApi): () => void {
  const w = wxApi ?? hostWx();
  if (!w || typeof w.onAppShow !== "function" || typeof w.onAppHide !== "function") return () => {};
  let live = true;
  const show = () => {
    if (live) onChange(true);
  };
  const hide = () => {
    if (live) onChange(false);
  };
  w.onAppShow(show);
  w.onAppHide(hide);
  return () => {
    live = false;
    if (typeof w.offAppShow === "function") w.offAppShow(show);
    if (typeof w.offAppHide === "function") w.offAppHide(hide);
  };
}

// ---------------------------------------------------------------------------------------------
// Platform.

/** Options of {@link wechatPlatform}. */
export interface WechatPlatformOptions {
  /** The wx API. Default: the global `wx`. */
  wx?: WxApi;
  /** Storage. Default: {@link wxStorage}. */
  storage?: KeyValueStorage;
  /** The local store. Default: {@link wxLocalStore}. */
  localStore?: LocalStore;
  /** Options of wx.connectSocket. */
  socket?: WxSocketOptions;
  /** Options of wx.request and wx.uploadFile. */
  http?: WxHttpOptions;
}

/** The WeChat platform, with every piece overridable. */
export function wechatPlatform(options: WechatPlatformOptions = {}): Platform {
  const w = options.wx;
  return {
    transport: wxSocketTransport(w, options.socket),
    http: wxHttpTransport(w, options.http),
    storage: options.storage ?? wxStorage(w),
    localStore: options.localStore ?? wxLocalStore(w),
    watchNetwork: (onChange) => watchWxNetwork(onChange, w),
    watchVisibility: (onChange) => watchWxVisibility(onChange, w),
  };
}
