// The JavaScript side of the emulated mini-program runtime: the `wx` and `WXWebAssembly` objects,
// evaluated INSIDE the mini-program's vm context (so every object and ArrayBuffer they hand out
// belongs to that realm, as on a phone) over a host "native" layer (native.js) that does the real
// I/O. It follows WeChat's documented semantics: results arrive only through success / fail /
// complete callbacks, always asynchronously, with errMsg "<api>:ok" or "<api>:fail <reason>";
// SocketTask events through onOpen / onMessage / onClose / onError listeners; storage is
// synchronous, getStorageSync answers "" for a missing key; WXWebAssembly.instantiate accepts only
// a path inside the code package. This file is a script whose value is a factory function.
(function createMiniProgramApi(native) {
  "use strict";

  const later = (fn) => setTimeout(fn, 0);
  const call = (o, name, res) => {
    if (o && typeof o[name] === "function") o[name](res);
  };
  /** Reports an outcome through the callbacks of o, asynchronously, WeChat style. */
  const settle = (o, api, err, res) => {
    later(() => {
      if (err) {
        const r = { errMsg: `${api}:fail ${err.message || err}`, errno: typeof err.errno === "number" ? err.errno : 600001 };
        call(o, "fail", r);
        call(o, "complete", r);
      } else {
        const r = Object.assign({}, res || {}, { errMsg: `${api}:ok` });
        call(o, "success", r);
        call(o, "complete", r);
      }
    });
  };
  const toBuffer = (bytes) => {
    const a = new Uint8Array(bytes.length);
    a.set(bytes);
    return a.buffer;
  };
  const utf8 = {
    encode(s) {
      return native.utf8Encode(String(s));
    },
    decode(bytes) {
      return native.utf8Decode(bytes);
    },
  };
  const isArrayBuffer = (v) => Object.prototype.toString.call(v) === "[object ArrayBuffer]";

  // -------------------------------------------------------------------------------------------
  // WebSocket (wx.connectSocket, SocketTask).

  let socketSeq = 0;
  const liveSockets = new Set();

  function connectSocket(o) {
    o = o || {};
    const id = ++socketSeq;
    const listeners = { open: [], message: [], close: [], error: [] };
    let state = 0; // CONNECTING, OPEN, CLOSING, CLOSED
    const emit = (type, res) => {
      for (const fn of listeners[type].slice()) fn(res);
    };
    const task = {
      CONNECTING: 0,
      OPEN: 1,
      CLOSING: 2,
      CLOSED: 3,
      get readyState() {
        return state;
      },
      send(so) {
        so = so || {};
        if (state !== 1) {
          settle(so, "sendSocketMessage", { message: "WebSocket is not connected" });
          return;
        }
        const d = so.data;
        try {
          if (typeof d === "string") native.socketSend(id, utf8.encode(d), true);
          else if (isArrayBuffer(d)) native.socketSend(id, new Uint8Array(d), false);
          else throw new Error("parameter error: data should be String or ArrayBuffer");
        } catch (e) {
          settle(so, "sendSocketMessage", e);
          return;
        }
        settle(so, "sendSocketMessage", null, {});
      },
      close(co) {
        co = co || {};
        if (state === 0) {
          // WeChat's documented timing problem: a close before the socket opened does nothing.
          settle(co, "closeSocket", { message: "WebSocket is not connected" });
          return;
        }
        if (state >= 2) {
          settle(co, "closeSocket", null, {});
          return;
        }
        const code = co.code === undefined ? 1000 : co.code;
        if (code !== 1000 && !(code >= 3000 && code <= 4999)) {
          settle(co, "closeSocket", { message: `invalid close code ${code}` });
          return;
        }
        const reason = co.reason === undefined ? "" : String(co.reason);
        if (utf8.encode(reason).length > 123) {
          settle(co, "closeSocket", { message: "reason too long" });
          return;
        }
        state = 2;
        native.socketClose(id, code, reason);
        settle(co, "closeSocket", null, {});
      },
      onOpen(fn) {
        listeners.open.push(fn);
      },
      onMessage(fn) {
        listeners.message.push(fn);
      },
      onClose(fn) {
        listeners.close.push(fn);
      },
      onError(fn) {
        listeners.error.push(fn);
      },
    };
    const url = typeof o.url === "string" ? o.url : "";
    let problem = "";
    if (!/^wss?:\/\//.test(url)) problem = `invalid url "${url}"`;
    else if (!native.domainAllowed("socket", url)) problem = `url not in domain list`;
    else if (liveSockets.size >= 5) problem = "exceed max task count";
    if (problem) {
      state = 3;
      settle(o, "connectSocket", { message: problem });
      return task;
    }
    liveSockets.add(id);
    native.socketConnect(id, url, Object.assign({}, o.header), o.timeout, (type, a, b) => {
      if (type === "open") {
        if (state !== 0) return;
        state = 1;
        emit("open", { header: Object.assign({}, a), profile: {} });
      } else if (type === "message") {
        emit("message", { data: b ? utf8.decode(a) : toBuffer(a) });
      } else if (type === "error") {
        emit("error", { errMsg: String(a) });
      } else if (type === "close") {
        state = 3;
        liveSockets.delete(id);
        emit("close", { code: a, reason: b });
      }
    });
    settle(o, "connectSocket", null, { socketTaskId: id });
    return task;
  }

  // -------------------------------------------------------------------------------------------
  // HTTP (wx.request, wx.uploadFile).

  const METHODS = ["OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT"];

  function query(data) {
    return Object.keys(data)
      .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(data[k])}`)
      .join("&");
  }

  function request(o) {
    o = o || {};
    const method = String(o.method || "GET").toUpperCase();
    const header = Object.assign({}, o.header);
    const ctKey = Object.keys(header).find((k) => k.toLowerCase() === "content-type");
    if (!ctKey) header["content-type"] = "application/json";
    const ct = String(header[ctKey || "content-type"]);
    let url = String(o.url || "");
    let body = null;
    const d = o.data;
    if (d !== undefined && d !== null) {
      if (isArrayBuffer(d)) body = new Uint8Array(d);
      else if (typeof d === "string") body = utf8.encode(d);
      else if (typeof d === "object") {
        if (method === "GET") url += (url.includes("?") ? "&" : "?") + query(d);
        else if (/application\/json/i.test(ct)) body = utf8.encode(JSON.stringify(d));
        else body = utf8.encode(query(d));
      }
    }
    let finished = false;
    const task = {
      abort() {
        if (finished) return;
        finished = true;
        native.abort(id);
        settle(o, "request", { message: "abort" });
      },
      onHeadersReceived() {},
      offHeadersReceived() {},
    };
    let id = 0;
    if (!METHODS.includes(method)) {
      finished = true;
      settle(o, "request", { message: `invalid method ${method}` });
      return task;
    }
    if (!/^https?:\/\//.test(url) || !native.domainAllowed("request", url)) {
      finished = true;
      settle(o, "request", { message: /^https?:\/\//.test(url) ? "url not in domain list" : "invalid url" });
      return task;
    }
    id = native.request({ url, method, header, body, timeout: o.timeout || 60000 }, (err, res) => {
      if (finished) return;
      finished = true;
      if (err) {
        settle(o, "request", err);
        return;
      }
      let data;
      if (o.responseType === "arraybuffer") data = toBuffer(res.body);
      else {
        data = utf8.decode(res.body);
        if ((o.dataType === undefined || o.dataType === "json") && data !== "") {
          try {
            data = JSON.parse(data);
          } catch (e) {
            // left as text, as WeChat does
          }
        }
      }
      settle(o, "request", null, { statusCode: res.status, header: Object.assign({}, res.header), data, cookies: [] });
    });
    return task;
  }

  function basename(p) {
    const i = p.lastIndexOf("/");
    return i >= 0 ? p.slice(i + 1) : p;
  }

  function uploadFile(o) {
    o = o || {};
    const progress = [];
    const headers = [];
    let finished = false;
    let id = 0;
    const task = {
      abort() {
        if (finished) return;
        finished = true;
        if (id) native.abort(id);
        settle(o, "uploadFile", { message: "abort" });
      },
      onProgressUpdate(fn) {
        progress.push(fn);
      },
      offProgressUpdate(fn) {
        const i = progress.indexOf(fn);
        if (i >= 0) progress.splice(i, 1);
      },
      onHeadersReceived(fn) {
        headers.push(fn);
      },
      offHeadersReceived(fn) {
        const i = headers.indexOf(fn);
        if (i >= 0) headers.splice(i, 1);
      },
    };
    const url = String(o.url || "");
    const filePath = typeof o.filePath === "string" ? o.filePath : "";
    let file;
    try {
      if (!o.name) throw new Error("parameter error: name is required");
      if (!/^https?:\/\//.test(url) || !native.domainAllowed("uploadFile", url)) throw new Error("url not in domain list");
      file = native.readLocalFile(filePath);
    } catch (e) {
      finished = true;
      settle(o, "uploadFile", e);
      return task;
    }
    const form = [];
    const fd = o.formData || {};
    for (const k of Object.keys(fd)) form.push([k, String(fd[k])]);
    const header = {};
    for (const k of Object.keys(o.header || {})) if (k.toLowerCase() !== "content-type") header[k] = String(o.header[k]);
    id = native.upload(
      { url, header, name: String(o.name), fileName: basename(filePath), file, form, timeout: o.timeout || 60000 },
      (sent, total) => {
        if (finished) return;
        const res = { progress: total ? Math.floor((sent / total) * 100) : 100, totalBytesSent: sent, totalBytesExpectedToSend: total };
        for (const fn of progress.slice()) fn(res);
      },
      (h) => {
        for (const fn of headers.slice()) fn({ header: Object.assign({}, h) });
      },
      (err, res) => {
        if (finished) return;
        finished = true;
        if (err) settle(o, "uploadFile", err);
        else settle(o, "uploadFile", null, { statusCode: res.status, data: utf8.decode(res.body) });
      },
    );
    return task;
  }

  // -------------------------------------------------------------------------------------------
  // Files (the FileSystemManager subset apps use for temporary files).

  function fsOp(api, op, args, o, wrap) {
    o = o || {};
    native.fs(op, args, (err, result) => settle(o, api, err, wrap ? wrap(result) : {}));
  }

  const fileSystemManager = {
    mkdir(o) {
      fsOp("mkdir", "mkdir", { path: o && o.dirPath, recursive: Boolean(o && o.recursive) }, o);
    },
    rmdir(o) {
      fsOp("rmdir", "rmdir", { path: o && o.dirPath, recursive: Boolean(o && o.recursive) }, o);
    },
    writeFile(o) {
      const d = o && o.data;
      const bytes = isArrayBuffer(d) ? new Uint8Array(d) : utf8.encode(d === undefined ? "" : d);
      fsOp("writeFile", "writeFile", { path: o && o.filePath, bytes }, o);
    },
    readFile(o) {
      fsOp("readFile", "readFile", { path: o && o.filePath }, o, (r) => ({ data: o && o.encoding === "utf8" ? utf8.decode(r) : toBuffer(r) }));
    },
    unlink(o) {
      fsOp("unlink", "unlink", { path: o && o.filePath }, o);
    },
    access(o) {
      fsOp("access", "access", { path: o && o.path }, o);
    },
  };

  // -------------------------------------------------------------------------------------------
  // Events of the app and the network.

  const appShow = [];
  const appHide = [];
  const network = [];
  const off = (list, fn) => {
    if (fn === undefined) list.length = 0;
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  };

  const wx = {
    env: { USER_DATA_PATH: native.USER_DATA_PATH },
    connectSocket,
    request,
    uploadFile,
    getFileSystemManager() {
      return fileSystemManager;
    },
    getStorageSync(key) {
      if (typeof key !== "string") throw new Error("getStorageSync:fail parameter error: key should be String");
      const j = native.storageGet(key);
      return j === undefined ? "" : JSON.parse(j);
    },
    setStorageSync(key, data) {
      if (typeof key !== "string") throw new Error("setStorageSync:fail parameter error: key should be String");
      const j = JSON.stringify(data === undefined ? null : data);
      if (j.length > 1024 * 1024) throw new Error("setStorageSync:fail exceed max size 1MB");
      native.storageSet(key, j);
    },
    removeStorageSync(key) {
      native.storageRemove(String(key));
    },
    clearStorageSync() {
      native.storageClear();
    },
    getStorageInfoSync() {
      const info = native.storageInfo();
      return { keys: info.keys.slice(), currentSize: info.currentSize, limitSize: 10240 };
    },
    getRandomValues(o) {
      o = o || {};
      const n = o.length;
      if (!Number.isInteger(n) || n <= 0 || n > 1048576) {
        settle(o, "getRandomValues", { message: "parameter error" });
        return;
      }
      settle(o, "getRandomValues", null, { randomValues: toBuffer(native.randomBytes(n)) });
    },
    getNetworkType(o) {
      settle(o, "getNetworkType", null, { networkType: native.online() ? "wifi" : "none" });
    },
    onNetworkStatusChange(fn) {
      network.push(fn);
    },
    offNetworkStatusChange(fn) {
      off(network, fn);
    },
    onAppShow(fn) {
      appShow.push(fn);
    },
    offAppShow(fn) {
      off(appShow, fn);
    },
    onAppHide(fn) {
      appHide.push(fn);
    },
    // UI feedback: recorded for the tests, no screen here.
    showToast(o) {
      native.ui.push(["toast", o && o.title]);
      settle(o, "showToast", null, {});
    },
    offAppHide(fn) {
      off(appHide, fn);
    },
  };

  const WXWebAssembly = {
    instantiate(path, imports) {
      return new Promise((resolve, reject) => {
        if (typeof path !== "string") {
          reject(new TypeError("WXWebAssembly.instantiate: the first argument must be a code package path"));
          return;
        }
        native.instantiate(path, imports, (err, result) => {
          if (err) reject(new Error(err));
          else resolve({ instance: result.instance, module: result.module });
        });
      });
    },
  };

  return {
    wx,
    WXWebAssembly,
    /** Called by the host to fire app and network events. */
    fire(type, arg) {
      const list = type === "show" ? appShow : type === "hide" ? appHide : network;
      const res = type === "network" ? { isConnected: Boolean(arg), networkType: arg ? "wifi" : "none" } : { path: "pages/index/index", scene: 1001 };
      for (const fn of list.slice()) fn(res);
    },
  };
});
