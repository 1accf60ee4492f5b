import { test } from "node:test";
import assert from "node:assert/strict";

import { fetchTransport, memoryStorage, webSocketTransport, webStorage, browserPlatform } from "../dist/index.js";
// Internal modules come from build/, tsc's output that the shipped bundles are made of (dist/
// holds only the bundles and the entry points): the same code, one module at a time.
import { guardTransport } from "../build/transports/guard.js";

/** A WebSocket stand-in recording what the transport does with it. */
class FakeWebSocket {
  static last;
  constructor(url) {
    this.url = url;
    this.sent = [];
    this.closedWith = null;
    FakeWebSocket.last = this;
  }
  send(data) {
    this.sent.push(data);
  }
  close(code, reason) {
    this.closedWith = [code, reason];
  }
}

function recordingHooks() {
  const calls = [];
  return {
    calls,
    hooks: {
      onopen: () => calls.push(["open"]),
      onmessage: (d) => calls.push(["message", Array.from(d)]),
      onclose: (code, reason) => calls.push(["close", code, reason]),
      onerror: (msg) => calls.push(["error", msg]),
    },
  };
}

test("webSocketTransport maps WebSocket events onto the hooks", async () => {
  const t = webSocketTransport(FakeWebSocket);
  const { calls, hooks } = recordingHooks();
  const ws = t.connect("wss://im.example.com", hooks);
  assert.equal(ws.url, "wss://im.example.com");
  assert.equal(ws.binaryType, "arraybuffer");
  ws.onopen();
  ws.onmessage({ data: new Uint8Array([1, 2]).buffer });
  ws.onmessage({ data: new Uint8Array([0, 3, 0]).subarray(1, 2) });
  // A Blob (a host ignoring binaryType) is read asynchronously, but order is kept.
  ws.onmessage({ data: new Blob([new Uint8Array([4])]) });
  ws.onmessage({ data: new Uint8Array([5]).buffer });
  ws.onerror({});
  ws.onclose({ code: 1006, reason: "gone" });
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(calls, [
    ["open"],
    ["message", [1, 2]],
    ["message", [3]],
    ["message", [4]],
    ["message", [5]],
    ["error", "websocket error"],
    ["close", 1006, "gone"],
  ]);

  t.send(ws, new Uint8Array([9]));
  assert.deepEqual(Array.from(ws.sent[0]), [9]);
  // Closing (2) or closed (3), before the close event: nothing is handed to the socket, which
  // would discard it (and Chrome would log an error for it).
  for (const state of [2, 3]) {
    ws.readyState = state;
    t.send(ws, new Uint8Array([state]));
  }
  ws.readyState = 1;
  t.send(ws, new Uint8Array([7]));
  assert.deepEqual(ws.sent.map((d) => Array.from(d)), [[9], [7]]);
});

test("webSocketTransport closes with codes a browser accepts and detaches its handlers", () => {
  const t = webSocketTransport(FakeWebSocket);
  for (const [code, want] of [[1000, 1000], [4001, 4001], [1001, 1000], [1006, 1000], [2999, 1000], [5000, 1000]]) {
    const ws = t.connect("wss://x", recordingHooks().hooks);
    t.close(ws, code, "bye");
    assert.deepEqual(ws.closedWith, [want, "bye"], `code ${code}`);
    assert.equal(ws.onclose, null);
    assert.equal(ws.onmessage, null);
  }
  const ws = t.connect("wss://x", recordingHooks().hooks);
  t.close(ws, 1000, "é".repeat(100));
  assert.ok(new TextEncoder().encode(ws.closedWith[1]).length <= 123, "the reason is cut to 123 bytes");
});

test("webSocketTransport without a WebSocket says how to pass one", () => {
  const saved = globalThis.WebSocket;
  globalThis.WebSocket = undefined;
  try {
    assert.throws(() => webSocketTransport().connect("wss://x", recordingHooks().hooks), /websocket option/);
  } finally {
    globalThis.WebSocket = saved;
  }
});

test("guardTransport calls no hook after close or onclose", () => {
  const inner = webSocketTransport(FakeWebSocket);
  const t = guardTransport(inner);
  const { calls, hooks } = recordingHooks();
  const h = t.connect("wss://x", hooks);
  const ws = FakeWebSocket.last;
  ws.onopen();
  const savedMessage = ws.onmessage;
  const savedClose = ws.onclose;
  t.close(h, 1000, "done");
  assert.deepEqual(ws.closedWith, [1000, "done"]);
  savedMessage({ data: new Uint8Array([1]).buffer });
  savedClose({ code: 1000, reason: "" });
  assert.deepEqual(calls, [["open"]], "nothing reaches Go after close()");

  // Events the inner transport still fires after onclose (here through handlers saved before
  // they were detached) are dropped.
  const late = recordingHooks();
  const h2 = t.connect("wss://y", late.hooks);
  const ws2 = FakeWebSocket.last;
  const onclose = ws2.onclose;
  const onmessage = ws2.onmessage;
  onclose({ code: 1006, reason: "" });
  onclose({ code: 1006, reason: "" });
  onmessage({ data: new Uint8Array([1]).buffer });
  assert.deepEqual(late.calls, [["close", 1006, ""]], "one close, nothing after it");
  assert.throws(() => t.send(h2, new Uint8Array([1])), /closed/);
  t.close(h2, 1000, "");
  assert.equal(ws2.closedWith, null, "no close call for a connection already closed");
});

test("fetchTransport performs requests and lower-cases header names", async () => {
  const seen = [];
  const fakeFetch = async (url, init) => {
    seen.push({ url, init });
    return new Response('{"code":200}', { status: 201, headers: { "Content-Type": "application/json", "X-Trace": "t" } });
  };
  const h = fetchTransport(fakeFetch);
  const ac = new AbortController();
  const res = await h.request({
    method: "POST",
    url: "https://api.example.com/roster/list",
    headers: { "access-token": "tok" },
    body: new TextEncoder().encode("{}"),
    signal: ac.signal,
  });
  assert.equal(res.status, 201);
  assert.deepEqual(res.headers, { "content-type": "application/json", "x-trace": "t" });
  assert.equal(new TextDecoder().decode(res.body), '{"code":200}');
  assert.ok(res.body instanceof Uint8Array);
  assert.equal(seen[0].init.method, "POST");
  assert.equal(seen[0].init.signal, ac.signal);
  assert.equal(seen[0].init.headers["access-token"], "tok");

  await h.request({ method: "GET", url: "https://api.example.com/x", headers: {}, body: null });
  assert.equal("body" in seen[1].init, false, "no body for a null body");

  const failing = fetchTransport(async () => {
    throw new TypeError("fetch failed");
  });
  await assert.rejects(failing.request({ method: "GET", url: "u", headers: {}, body: null }), TypeError);
});

/** An XMLHttpRequest stand-in that reports progress and answers on send. */
class FakeXHR {
  static instances = [];
  constructor() {
    this.upload = {};
    this.headers = {};
    FakeXHR.instances.push(this);
  }
  open(method, url) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(k, v) {
    this.headers[k] = v;
  }
  getAllResponseHeaders() {
    return "Content-Type: application/json\r\nX-Id: 7\r\n";
  }
  abort() {
    this.onabort();
  }
  send(form) {
    this.form = form;
    if (FakeXHR.hang) return;
    setTimeout(() => {
      this.upload.onprogress({ loaded: 3, total: 6, lengthComputable: true });
      this.upload.onprogress({ loaded: 6, total: 0, lengthComputable: false });
      this.status = 200;
      this.response = new TextEncoder().encode('{"data":true}').buffer;
      this.onload();
      this.upload.onprogress({ loaded: 6, total: 6, lengthComputable: true }); // late: ignored
    }, 0);
  }
}

const uploadReq = (extra = {}) => ({
  url: "https://oss.example.com/",
  headers: { "access-token": "tok" },
  fields: [["key", "a/b.png"], ["policy", "p"]],
  fileField: "file",
  fileName: "b.png",
  contentType: "image/png",
  file: new Uint8Array([1, 2, 3, 4, 5, 6]),
  size: 6,
  ...extra,
});

test("fetchTransport uploads with XMLHttpRequest and reports progress", async () => {
  const h = fetchTransport(undefined, FakeXHR);
  const progress = [];
  const res = await h.upload(uploadReq(), (loaded, total) => progress.push([loaded, total]));
  assert.equal(res.status, 200);
  assert.deepEqual(res.headers, { "content-type": "application/json", "x-id": "7" });
  assert.equal(new TextDecoder().decode(res.body), '{"data":true}');
  assert.deepEqual(progress, [[3, 6], [6, 0]], "progress until the answer, not after");
  const xhr = FakeXHR.instances.at(-1);
  assert.equal(xhr.method, "POST");
  assert.equal(xhr.responseType, "arraybuffer");
  assert.equal(xhr.headers["access-token"], "tok");
  assert.deepEqual([...xhr.form.keys()], ["key", "policy", "file"], "fields first, in order, then the file");
  const file = xhr.form.get("file");
  assert.equal(file.name, "b.png");
  assert.equal(file.type, "image/png");
  assert.equal(file.size, 6);
});

test("an upload is aborted through its signal", async () => {
  FakeXHR.hang = true;
  try {
    const h = fetchTransport(undefined, FakeXHR);
    const ac = new AbortController();
    const p = h.upload(uploadReq({ signal: ac.signal }), () => {});
    ac.abort();
    await assert.rejects(p, (e) => e.name === "AbortError");
    await assert.rejects(h.upload(uploadReq({ signal: ac.signal }), () => {}), (e) => e.name === "AbortError");
  } finally {
    FakeXHR.hang = false;
  }
});

test("without XMLHttpRequest uploads go through fetch", async () => {
  let body;
  const h = fetchTransport(async (url, init) => {
    body = init.body;
    return new Response('{"data":true}', { status: 200 });
  });
  const progress = [];
  const res = await h.upload(uploadReq(), (l, t) => progress.push([l, t]));
  assert.equal(res.status, 200);
  assert.ok(body instanceof FormData);
  assert.deepEqual(progress, [[6, 6]], "one final progress report");
  await assert.rejects(h.upload(uploadReq({ file: "wxfile://tmp/a.png" }), () => {}), /Blob/);
});

test("storage: localStorage when usable, memory otherwise", () => {
  const m = memoryStorage();
  assert.equal(m.get("k"), null);
  m.set("k", "v");
  assert.equal(m.get("k"), "v");
  m.remove("k");
  assert.equal(m.get("k"), null);

  // Node has no localStorage: memory.
  const s = webStorage();
  s.set("floo.uid", "1");
  assert.equal(s.get("floo.uid"), "1");

  const items = new Map();
  const fakeLocal = {
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem: (k, v) => items.set(k, String(v)),
    removeItem: (k) => items.delete(k),
  };
  const w = webStorage(fakeLocal);
  w.set("floo.token", "t");
  assert.equal(items.get("floo.token"), "t");
  assert.equal(w.get("floo.token"), "t");
  w.remove("floo.token");
  assert.equal(items.size, 0);

  const saved = Object.getOwnPropertyDescriptor(globalThis, "localStorage");
  Object.defineProperty(globalThis, "localStorage", {
    configurable: true,
    get() {
      throw new DOMException("denied", "SecurityError");
    },
  });
  try {
    const fallback = webStorage();
    fallback.set("a", "b");
    assert.equal(fallback.get("a"), "b", "a throwing localStorage falls back to memory");
  } finally {
    if (saved) Object.defineProperty(globalThis, "localStorage", saved);
    else delete globalThis.localStorage;
  }
});

test("browserPlatform watches online/offline and visibility", () => {
  const target = new EventTarget();
  const doc = new EventTarget();
  doc.visibilityState = "visible";
  const p = browserPlatform({ WebSocket: FakeWebSocket, eventTarget: target, document: doc, storage: memoryStorage() });
  const net = [];
  const vis = [];
  const offNet = p.watchNetwork((online) => net.push(online));
  const offVis = p.watchVisibility((visible) => vis.push(visible));
  target.dispatchEvent(new Event("offline"));
  target.dispatchEvent(new Event("online"));
  doc.visibilityState = "hidden";
  doc.dispatchEvent(new Event("visibilitychange"));
  doc.visibilityState = "visible";
  doc.dispatchEvent(new Event("visibilitychange"));
  offNet();
  offVis();
  target.dispatchEvent(new Event("offline"));
  doc.dispatchEvent(new Event("visibilitychange"));
  assert.deepEqual(net, [false, true]);
  assert.deepEqual(vis, [false, true]);
  p.transport.connect("wss://x", recordingHooks().hooks);
  assert.equal(FakeWebSocket.last.url, "wss://x", "the injected WebSocket is used");
});
