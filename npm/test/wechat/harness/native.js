// The host ("native") side of the emulated mini-program: real sockets, HTTP and files behind the
// wx API of wx-runtime.js. One Native belongs to one running mini-program; kill() ends it the way
// WeChat ends a mini-program process: its sockets and requests are cut and no callback of it runs
// again. Storage and the user data folder live in a Device, which outlives mini-program runs, so a
// restart finds them again.

import { randomBytes } from "node:crypto";
import { mkdirSync, existsSync, readFileSync, rmSync, writeFileSync, statSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import zlib from "node:zlib";

import { connectWebSocket } from "./websocket.js";

/**
 * The phone: wx storage (a Map of JSON strings, what wx.setStorageSync persists) and a sandbox
 * folder for wx.env.USER_DATA_PATH and temporary files. It survives mini-program restarts.
 */
export class Device {
  constructor(dir) {
    this.dir = dir;
    this.storage = new Map();
    mkdirSync(path.join(dir, "usr"), { recursive: true });
    mkdirSync(path.join(dir, "tmp"), { recursive: true });
  }

  /** Creates a temporary file as wx.chooseMessageFile would and returns its wxfile:// path. */
  tempFile(name, bytes) {
    const p = `wxfile://tmp_${randomBytes(4).toString("hex")}_${name}`;
    writeFileSync(this.localPath(p), bytes);
    return p;
  }

  /** Maps a wxfile:// path to the host file system; throws for anything else. */
  localPath(p) {
    if (typeof p !== "string") throw new Error("invalid path");
    let rel;
    let root;
    if (p.startsWith("wxfile://usr/") || p === "wxfile://usr") {
      root = path.join(this.dir, "usr");
      rel = p.slice("wxfile://usr".length);
    } else if (p.startsWith("wxfile://tmp_")) {
      root = path.join(this.dir, "tmp");
      rel = p.slice("wxfile://".length);
    } else {
      throw new Error(`permission denied, open ${p}`);
    }
    const full = path.resolve(root, "." + (rel.startsWith("/") ? rel : "/" + rel));
    if (full !== root && !full.startsWith(root + path.sep)) throw new Error(`permission denied, open ${p}`);
    return full;
  }
}

/** Case-preserving response headers from Node's rawHeaders, as WeChat reports them. */
function rawHeaders(res) {
  const out = {};
  for (let i = 0; i < res.rawHeaders.length; i += 2) out[res.rawHeaders[i]] = res.rawHeaders[i + 1];
  return out;
}

export class Native {
  /**
   * @param {object} o
   * @param {Device} o.device
   * @param {string} o.packageRoot the code package folder (WXWebAssembly paths resolve in it)
   * @param {{socket?: string[], request?: string[], uploadFile?: string[]}} [o.domains] the
   *   whitelisted origins per API; absent = no check (DevTools' "do not verify domains")
   */
  constructor({ device, packageRoot, domains }) {
    this.device = device;
    this.packageRoot = path.resolve(packageRoot);
    this.domains = domains;
    this.alive = true;
    this.isOnline = true;
    this.sockets = new Map();
    this.requests = new Map();
    this.seq = 0;
    this.USER_DATA_PATH = "wxfile://usr";
    /** What the mini-program showed (wx.showToast...), for page tests. */
    this.ui = [];
    /** Counters the tests read. */
    this.stats = { socketsOpened: 0, requests: 0, uploads: 0, instantiated: [] };
  }

  /** Runs a callback into the mini-program unless it was killed meanwhile. */
  deliver(fn, ...args) {
    if (this.alive) fn(...args);
  }

  domainAllowed(kind, url) {
    if (!this.domains) return true;
    const list = this.domains[kind] || [];
    const origin = new URL(url).origin;
    return list.includes(origin);
  }

  utf8Encode(s) {
    return Buffer.from(s, "utf8");
  }

  utf8Decode(bytes) {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  }

  randomBytes(n) {
    return randomBytes(n);
  }

  online() {
    return this.isOnline;
  }

  // --- sockets -------------------------------------------------------------------------------

  socketConnect(id, url, header, timeout, cb) {
    if (!this.isOnline) {
      setTimeout(() => {
        this.deliver(cb, "error", "net::ERR_INTERNET_DISCONNECTED");
        this.deliver(cb, "close", 1006, "abnormal closure");
      }, 5);
      return;
    }
    this.stats.socketsOpened++;
    const ws = connectWebSocket(url, { headers: header, timeout: timeout || 60000 }, {
      onOpen: (h) => this.deliver(cb, "open", h),
      onMessage: (buf, isText) => this.deliver(cb, "message", buf, isText),
      onError: (msg) => this.deliver(cb, "error", msg),
      onClose: (code, reason) => {
        this.sockets.delete(id);
        this.deliver(cb, "close", code, reason);
      },
    });
    this.sockets.set(id, ws);
  }

  socketSend(id, bytes) {
    const ws = this.sockets.get(id);
    if (!ws) throw new Error("WebSocket is not connected");
    ws.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  socketClose(id, code, reason) {
    this.sockets.get(id)?.close(code, reason);
  }

  /**
   * Kills every socket's TCP connection without a close frame; onClose reports code and reason
   * (1006 for a network drop; WeChat reports 1000 "interrupted" for a mini-program left in the
   * background). Returns how many sockets there were.
   */
  dropSockets(code, reason) {
    const all = [...this.sockets.values()];
    for (const ws of all) ws.drop(code, reason);
    return all.length;
  }

  // --- HTTP ----------------------------------------------------------------------------------

  httpCall({ url, method, header, body, timeout }, onResponseHeaders, cb) {
    const id = ++this.seq;
    if (!this.isOnline) {
      setTimeout(() => this.deliver(cb, { message: "net::ERR_INTERNET_DISCONNECTED", errno: 600001 }), 5);
      return id;
    }
    const u = new URL(url);
    const mod = u.protocol === "https:" ? https : http;
    const headers = { ...header };
    if (body) headers["Content-Length"] = String(body.length);
    const req = mod.request(u, { method, headers });
    let done = false;
    const finish = (err, res) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.requests.delete(id);
      this.deliver(cb, err, res);
    };
    const timer = setTimeout(() => {
      req.destroy();
      finish({ message: "timeout", errno: 5 });
    }, timeout);
    req.on("error", (e) => finish({ message: e.message, errno: 600001 }));
    req.on("response", (res) => {
      if (onResponseHeaders) this.deliver(onResponseHeaders, rawHeaders(res));
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => finish(null, { status: res.statusCode, header: rawHeaders(res), body: Buffer.concat(chunks) }));
      res.on("error", (e) => finish({ message: e.message, errno: 600001 }));
    });
    this.requests.set(id, req);
    return { id, req, body };
  }

  request(o, cb) {
    this.stats.requests++;
    const r = this.httpCall({ ...o, body: o.body ? Buffer.from(o.body.buffer, o.body.byteOffset, o.body.byteLength) : null }, null, cb);
    if (typeof r === "number") return r;
    r.req.end(r.body || undefined);
    return r.id;
  }

  upload({ url, header, name, fileName, file, form, timeout }, onProgress, onHeaders, cb) {
    this.stats.uploads++;
    const boundary = `----WeChatFormBoundary${randomBytes(8).toString("hex")}`;
    const parts = [];
    for (const [k, v] of form) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`, "utf8"));
    }
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`, "utf8"));
    parts.push(file);
    parts.push(Buffer.from(`\r\n--${boundary}--\r\n`, "utf8"));
    const body = Buffer.concat(parts);
    const r = this.httpCall({ url, method: "POST", header: { ...header, "Content-Type": `multipart/form-data; boundary=${boundary}` }, body, timeout }, onHeaders, cb);
    if (typeof r === "number") return r;
    // Written in pieces so that progress is reported along the way, as WeChat does.
    const step = Math.max(16384, Math.ceil(body.length / 4));
    let sent = 0;
    const writeNext = () => {
      if (sent >= body.length) {
        r.req.end();
        return;
      }
      const chunk = body.subarray(sent, sent + step);
      sent += chunk.length;
      r.req.write(chunk, () => {
        this.deliver(onProgress, Math.min(sent, body.length), body.length);
        writeNext();
      });
    };
    writeNext();
    return r.id;
  }

  abort(id) {
    const req = this.requests.get(id);
    if (req) {
      this.requests.delete(id);
      req.destroy();
    }
  }

  // --- files -----------------------------------------------------------------------------------

  readLocalFile(p) {
    const local = this.device.localPath(p);
    if (!existsSync(local)) throw new Error(`file not found: ${p}`);
    return readFileSync(local);
  }

  fs(op, args, cb) {
    setTimeout(() => {
      try {
        const local = this.device.localPath(args.path);
        let result;
        switch (op) {
          case "mkdir":
            mkdirSync(local, { recursive: args.recursive });
            break;
          case "rmdir":
            rmSync(local, { recursive: args.recursive });
            break;
          case "writeFile":
            writeFileSync(local, Buffer.from(args.bytes.buffer, args.bytes.byteOffset, args.bytes.byteLength));
            break;
          case "readFile":
            result = readFileSync(local);
            break;
          case "unlink":
            rmSync(local);
            break;
          case "access":
            statSync(local);
            break;
          default:
            throw new Error(`unknown operation ${op}`);
        }
        this.deliver(cb, null, result);
      } catch (e) {
        this.deliver(cb, { message: e.message });
      }
    }, 1);
  }

  // --- storage (synchronous, as wx.*StorageSync) -------------------------------------------------

  storageGet(key) {
    return this.device.storage.get(key);
  }

  storageSet(key, json) {
    let total = json.length + key.length;
    for (const [k, v] of this.device.storage) if (k !== key) total += k.length + v.length;
    if (total > 10 * 1024 * 1024) throw new Error("setStorageSync:fail exceed storage max size 10MB");
    this.device.storage.set(key, json);
  }

  storageRemove(key) {
    this.device.storage.delete(key);
  }

  storageClear() {
    this.device.storage.clear();
  }

  storageInfo() {
    let size = 0;
    for (const [k, v] of this.device.storage) size += k.length + v.length;
    return { keys: [...this.device.storage.keys()], currentSize: Math.ceil(size / 1024) };
  }

  // --- WXWebAssembly -----------------------------------------------------------------------------

  /**
   * Instantiates a module from a path inside the code package, .wasm or brotli .wasm.br, as
   * WXWebAssembly does; anything else (bytes, URLs, wxfile:// paths, paths leaving the package)
   * is refused. The module is compiled here, outside the mini-program's realm, whose code
   * generation is switched off.
   */
  instantiate(p, imports, cb) {
    setTimeout(() => {
      try {
        if (/^[a-z]+:/i.test(p)) throw new Error(`not support wxfile: or http: path: ${p}`);
        if (!/\.wasm(\.br)?$/.test(p)) throw new Error(`only .wasm and .wasm.br files can be instantiated: ${p}`);
        const full = path.resolve(this.packageRoot, "." + (p.startsWith("/") ? p : "/" + p));
        if (!full.startsWith(this.packageRoot + path.sep)) throw new Error(`path outside the code package: ${p}`);
        if (!existsSync(full)) throw new Error(`no such file in the code package: ${p}`);
        let bytes = readFileSync(full);
        if (full.endsWith(".br")) bytes = zlib.brotliDecompressSync(bytes);
        const module = new WebAssembly.Module(bytes);
        const instance = new WebAssembly.Instance(module, imports);
        this.stats.instantiated.push(p);
        this.deliver(cb, null, { instance, module });
      } catch (e) {
        this.deliver(cb, e.message);
      }
    }, 1);
  }

  /** Ends this mini-program run: sockets and requests are cut, callbacks stop. */
  kill() {
    this.alive = false;
    for (const ws of this.sockets.values()) ws.drop();
    this.sockets.clear();
    for (const req of this.requests.values()) req.destroy();
    this.requests.clear();
  }
}
