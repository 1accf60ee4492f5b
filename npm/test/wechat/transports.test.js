// The wx transports (src/transports/wechat.ts) against a scripted wx, for the WeChat behaviours
// that the end-to-end test cannot provoke at will: a close before the socket opened, failing
// connects and sends, header and body forms, temporary files for byte uploads, storage's "" for
// a missing key.

import { test } from "node:test";
import assert from "node:assert/strict";

// The wechat entry exports the transports, so the shipped bundle is what is tested.
import { watchWxNetwork, watchWxVisibility, wxHttpTransport, wxSocketTransport, wxStorage, wechatPlatform } from "../../dist/wechat.js";

const tick = () => new Promise((r) => setTimeout(r, 0));

/** A scripted SocketTask: the test fires its events and sees what was sent and closed. */
function fakeSocketWx({ failConnect } = {}) {
  const tasks = [];
  const wx = {
    connectSocket(o) {
      const l = {};
      const task = {
        options: o,
        sent: [],
        closes: [],
        sendFails: false,
        send(so) {
          task.sent.push(so.data);
          if (task.sendFails) setTimeout(() => so.fail({ errMsg: "sendSocketMessage:fail socket is closed" }), 0);
        },
        close(co) {
          task.closes.push({ code: co.code, reason: co.reason });
        },
        onOpen: (f) => (l.open = f),
        onMessage: (f) => (l.message = f),
        onClose: (f) => (l.close = f),
        onError: (f) => (l.error = f),
        fire: (type, res) => l[type](res),
      };
      tasks.push(task);
      if (failConnect) setTimeout(() => o.fail({ errMsg: failConnect }), 0);
      return task;
    },
  };
  return { wx, tasks };
}

function recorder() {
  const events = [];
  return {
    events,
    hooks: {
      onopen: () => events.push(["open"]),
      onmessage: (d) => events.push(["message", d]),
      onclose: (c, r) => events.push(["close", c, r]),
      onerror: (m) => events.push(["error", m]),
    },
  };
}

test("socket: binary and text frames arrive as bytes; sends are exact ArrayBuffers", () => {
  const { wx, tasks } = fakeSocketWx();
  const t = wxSocketTransport(wx);
  const { events, hooks } = recorder();
  const h = t.connect("wss://im.example.com/ws", hooks);
  const task = tasks[0];
  assert.equal(task.options.url, "wss://im.example.com/ws");
  assert.equal(task.options.tcpNoDelay, true, "TCP_NODELAY by default");
  assert.throws(() => t.send(h, new Uint8Array([1])), /not open/, "no send before onOpen");
  task.fire("open", {});
  task.fire("message", { data: new Uint8Array([1, 2, 3]).buffer });
  task.fire("message", { data: "hé" });
  assert.deepEqual(events[0], ["open"]);
  assert.deepEqual([...events[1][1]], [1, 2, 3]);
  assert.deepEqual([...events[2][1]], [0x68, 0xc3, 0xa9]);
  const big = new Uint8Array(10).map((_, i) => i);
  t.send(h, big.subarray(2, 5));
  assert.ok(task.sent[0] instanceof ArrayBuffer);
  assert.deepEqual([...new Uint8Array(task.sent[0])], [2, 3, 4], "only the view's bytes");
  t.send(h, big);
  assert.equal(task.sent[1], big.buffer, "a whole buffer is sent without a copy");
  task.fire("close", { code: 1006, reason: "abnormal closure" });
  assert.deepEqual(events.at(-1), ["close", 1006, "abnormal closure"]);
  task.fire("close", { code: 1000, reason: "" });
  assert.equal(events.filter((e) => e[0] === "close").length, 1, "onclose once");
});

test("socket: a close before onOpen is repeated when the socket opens (WeChat's timing problem)", () => {
  const { wx, tasks } = fakeSocketWx();
  const t = wxSocketTransport(wx);
  const { events, hooks } = recorder();
  const h = t.connect("wss://x/ws", hooks);
  t.close(h, 4001, "dial abandoned");
  assert.deepEqual(tasks[0].closes, [{ code: 4001, reason: "dial abandoned" }]);
  tasks[0].fire("open", {});
  assert.deepEqual(tasks[0].closes.at(-1), { code: 4001, reason: "dial abandoned" }, "closed again on open");
  tasks[0].fire("message", { data: new ArrayBuffer(1) });
  tasks[0].fire("close", { code: 4001, reason: "" });
  assert.deepEqual(events, [], "no hook after close()");
});

test("socket: close codes and reasons are made acceptable to SocketTask.close", () => {
  const { wx, tasks } = fakeSocketWx();
  const t = wxSocketTransport(wx);
  for (const [code, want] of [[1000, 1000], [1001, 1000], [1006, 1000], [3000, 3000], [4999, 4999], [5000, 1000]]) {
    const h = t.connect("wss://x/ws", recorder().hooks);
    tasks.at(-1).fire("open", {});
    t.close(h, code, "é".repeat(100));
    const c = tasks.at(-1).closes[0];
    assert.equal(c.code, want, `code ${code}`);
    assert.ok(new TextEncoder().encode(c.reason).length <= 123);
    assert.equal(c.reason, "é".repeat(61), "cut at a character boundary");
  }
});

test("socket: a connectSocket fail is an error then a close, asynchronously", async () => {
  const { wx } = fakeSocketWx({ failConnect: "connectSocket:fail url not in domain list" });
  const { events, hooks } = recorder();
  wxSocketTransport(wx).connect("wss://x/ws", hooks);
  assert.deepEqual(events, [], "nothing while connect() runs");
  await tick();
  assert.deepEqual(events, [
    ["error", "connectSocket:fail url not in domain list"],
    ["close", 1006, "connectSocket:fail url not in domain list"],
  ]);
});

test("socket: a failed send ends the connection so that the engine reconnects", async () => {
  const { wx, tasks } = fakeSocketWx();
  const t = wxSocketTransport(wx);
  const { events, hooks } = recorder();
  const h = t.connect("wss://x/ws", hooks);
  tasks[0].fire("open", {});
  tasks[0].sendFails = true;
  t.send(h, new Uint8Array([1]));
  await tick();
  assert.deepEqual(events.slice(1), [
    ["error", "sendSocketMessage:fail socket is closed"],
    ["close", 1006, "sendSocketMessage:fail socket is closed"],
  ]);
  assert.equal(tasks[0].closes.length, 1, "the task is closed");
  assert.throws(() => t.send(h, new Uint8Array([1])), /not open/);
});

/** A scripted wx.request / wx.uploadFile / file system. */
function fakeHttpWx() {
  const calls = [];
  const fsOps = [];
  const wx = {
    env: { USER_DATA_PATH: "wxfile://usr" },
    request(o) {
      const task = { aborted: false, abort: () => (task.aborted = true) };
      calls.push({ api: "request", o, task });
      return task;
    },
    uploadFile(o) {
      const l = {};
      const task = {
        abort() {},
        onProgressUpdate: (f) => (l.progress = f),
        onHeadersReceived: (f) => (l.headers = f),
        fire: (t, r) => l[t](r),
      };
      calls.push({ api: "uploadFile", o, task });
      return task;
    },
    getFileSystemManager: () => ({
      mkdir: (o) => (fsOps.push(["mkdir", o.dirPath]), setTimeout(() => o.success(), 0)),
      writeFile: (o) => (fsOps.push(["writeFile", o.filePath, [...new Uint8Array(o.data)]]), setTimeout(() => o.success(), 0)),
      rmdir: (o) => fsOps.push(["rmdir", o.dirPath, o.recursive]),
    }),
  };
  return { wx, calls, fsOps };
}

test("request: binary both ways, nothing parsed, header names lower-cased", async () => {
  const { wx, calls } = fakeHttpWx();
  const http = wxHttpTransport(wx, { timeout: 5000 });
  const body = new Uint8Array([9, 8, 7, 6]).subarray(1, 3);
  const p = http.request({ method: "post", url: "https://r.example.com/x", headers: { "content-type": "application/json", app_id: "a" }, body });
  const { o } = calls[0];
  assert.equal(o.method, "POST");
  assert.equal(o.responseType, "arraybuffer");
  assert.notEqual(o.dataType, "json", "wx must not JSON.parse the body");
  assert.equal(o.timeout, 5000);
  assert.deepEqual([...new Uint8Array(o.data)], [8, 7]);
  assert.deepEqual(o.header, { "content-type": "application/json", app_id: "a" });
  o.success({ statusCode: 201, header: { "Content-Type": "application/json", "X-A": "1" }, data: new Uint8Array([123, 125]).buffer });
  const res = await p;
  assert.equal(res.status, 201);
  assert.deepEqual(res.headers, { "content-type": "application/json", "x-a": "1" });
  assert.deepEqual([...res.body], [123, 125]);
  const g = http.request({ method: "GET", url: "https://r.example.com/y", headers: {}, body: null });
  assert.equal("data" in calls[1].o, false, "no body on a GET");
  calls[1].o.success({ statusCode: 200, header: {}, data: "plain" });
  assert.deepEqual([...(await g).body], [0x70, 0x6c, 0x61, 0x69, 0x6e], "a string body becomes bytes");
});

test("request: failures name timeouts and aborts; an AbortSignal aborts the task", async () => {
  const { wx, calls } = fakeHttpWx();
  const http = wxHttpTransport(wx);
  const p1 = http.request({ method: "GET", url: "https://x/", headers: {}, body: null });
  calls[0].o.fail({ errMsg: "request:fail timeout", errno: 5 });
  await assert.rejects(p1, (e) => e.name === "TimeoutError" && e.errno === 5 && /request:fail timeout/.test(e.message));
  const p2 = http.request({ method: "GET", url: "https://x/", headers: {}, body: null });
  calls[1].o.fail({ errMsg: "request:fail net::ERR_CONNECTION_REFUSED" });
  await assert.rejects(p2, (e) => e.name === "NetworkError");
  const ac = new AbortController();
  const p3 = http.request({ method: "GET", url: "https://x/", headers: {}, body: null, signal: ac.signal });
  ac.abort();
  assert.equal(calls[2].task.aborted, true);
  calls[2].o.fail({ errMsg: "request:fail abort" });
  await assert.rejects(p3, (e) => e.name === "AbortError");
});

test("upload: a path goes straight to wx.uploadFile, with fields, headers and progress", async () => {
  const { wx, calls } = fakeHttpWx();
  const http = wxHttpTransport(wx);
  const progress = [];
  const p = http.upload(
    { url: "https://u/put/1", headers: { "access-token": "t", "Content-Type": "multipart/form-data" }, fields: [["key", "k1"], ["policy", "p"]], fileField: "file", fileName: "a.png", contentType: "image/png", file: "wxfile://tmp_a.png", size: 10 },
    (l, t) => progress.push([l, t]),
  );
  await tick();
  const { o, task } = calls[0];
  assert.equal(o.filePath, "wxfile://tmp_a.png");
  assert.equal(o.name, "file");
  assert.deepEqual(Object.entries(o.formData), [["key", "k1"], ["policy", "p"]], "fields in order");
  assert.deepEqual(o.header, { "access-token": "t" }, "wx sets the multipart content type itself");
  task.fire("progress", { progress: 50, totalBytesSent: 5, totalBytesExpectedToSend: 10 });
  task.fire("headers", { header: { "Content-Type": "application/json" } });
  o.success({ statusCode: 200, data: '{"data": true}' });
  const res = await p;
  assert.equal(res.status, 200);
  assert.equal(new TextDecoder().decode(res.body), '{"data": true}');
  assert.deepEqual(res.headers, { "content-type": "application/json" });
  assert.deepEqual(progress[0], [5, 10]);
});

test("upload: bytes are written to a temporary file named after the file, removed afterwards", async () => {
  const { wx, calls, fsOps } = fakeHttpWx();
  const http = wxHttpTransport(wx);
  const p = http.upload({ url: "https://u/put/2", headers: {}, fields: [], fileField: "file", fileName: "../notes:1.txt", contentType: "text/plain", file: new Uint8Array([104, 105]), size: 2 }, () => {});
  while (calls.length === 0) await tick();
  const dir = fsOps[0][1];
  assert.match(dir, /^wxfile:\/\/usr\/floo-upload-/);
  assert.deepEqual(fsOps[1], ["writeFile", `${dir}/__notes_1.txt`, [104, 105]]);
  assert.equal(calls[0].o.filePath, `${dir}/__notes_1.txt`);
  calls[0].o.fail({ errMsg: "uploadFile:fail timeout" });
  await assert.rejects(p, { name: "TimeoutError" });
  assert.deepEqual(fsOps.at(-1), ["rmdir", dir, true], "removed after a failure too");
  await assert.rejects(
    http.upload({ url: "https://u/", headers: {}, fields: [], fileField: "file", fileName: "b", contentType: "", file: {}, size: 0 }, () => {}),
    TypeError,
  );
});

test("storage: wx's \"\" for a missing key is told apart from a stored empty string", () => {
  const store = new Map();
  const wx = {
    getStorageSync: (k) => (store.has(k) ? store.get(k) : ""),
    setStorageSync: (k, v) => {
      if (k === "full") throw new Error("setStorageSync:fail exceed storage max size 10MB");
      store.set(k, v);
    },
    removeStorageSync: (k) => store.delete(k),
    getStorageInfoSync: () => ({ keys: [...store.keys()] }),
  };
  const s = wxStorage(wx);
  assert.equal(s.get("floo.token"), null);
  s.set("floo.token", "abc");
  assert.equal(s.get("floo.token"), "abc");
  s.set("floo.empty", "");
  assert.equal(s.get("floo.empty"), "");
  store.set("floo.obj", { not: "a string" });
  assert.equal(s.get("floo.obj"), null);
  s.remove("floo.token");
  assert.equal(s.get("floo.token"), null);
  assert.throws(() => s.set("full", "x"), /exceed/, "quota errors reach Go, which reports DbOperationFailed");
});

test("signals: network status and app show/hide, until unsubscribed", async () => {
  const l = { net: [], show: [], hide: [] };
  const wx = {
    onNetworkStatusChange: (f) => l.net.push(f),
    offNetworkStatusChange: (f) => (l.net = l.net.filter((x) => x !== f)),
    getNetworkType: (o) => setTimeout(() => o.success({ networkType: "none" }), 0),
    onAppShow: (f) => l.show.push(f),
    onAppHide: (f) => l.hide.push(f),
    offAppShow: (f) => (l.show = l.show.filter((x) => x !== f)),
    offAppHide: (f) => (l.hide = l.hide.filter((x) => x !== f)),
  };
  const online = [];
  const off = watchWxNetwork((v) => online.push(v), wx);
  await tick();
  assert.deepEqual(online, [false], "starting without a network is reported");
  l.net[0]({ isConnected: true, networkType: "wifi" });
  assert.deepEqual(online, [false, true]);
  off();
  assert.equal(l.net.length, 0);
  const visible = [];
  const offV = watchWxVisibility((v) => visible.push(v), wx);
  l.hide[0]();
  l.show[0]();
  offV();
  assert.deepEqual(visible, [false, true]);
  assert.equal(l.show.length + l.hide.length, 0);
  assert.equal(typeof watchWxNetwork(() => {}, {}), "function", "a wx without the API is tolerated");
  const p = wechatPlatform({ wx });
  assert.deepEqual(Object.keys(p).sort(), ["http", "localStore", "storage", "transport", "watchNetwork", "watchVisibility"]);
});
