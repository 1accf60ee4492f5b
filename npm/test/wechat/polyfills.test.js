// The polyfills of the wechat entry (src/polyfills), checked against Node's native
// implementations and the RFC 8439 test vector, in a bare realm like a mini-program's; and the
// guarantee that the browser entry never reaches them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";

import {
  chacha20Block,
  ChaChaRandom,
  installPolyfills,
  makeGetRandomValues,
  monotonicClock,
  seedFromWx,
  Utf8TextDecoder,
  Utf8TextEncoder,
  asInstance,
  installWebAssemblyShim,
} from "../../build/polyfills/index.js"; // tsc's output, which the bundles are made of: the entries export installPolyfills only
import { fileClosure, metaClosure } from "../dist-graph.js";
import { packageDir } from "./harness/index.js";

/** A deterministic pseudo-random generator for the test inputs. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Random strings with ASCII, BMP, astral characters and lone surrogates. */
function randomString(r, n) {
  let s = "";
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.4) s += String.fromCharCode(32 + Math.floor(r() * 95));
    else if (k < 0.6) s += String.fromCharCode(0x80 + Math.floor(r() * 0x780));
    else if (k < 0.8) s += String.fromCharCode(0x800 + Math.floor(r() * 0xd000));
    else if (k < 0.95) s += String.fromCodePoint(0x10000 + Math.floor(r() * 0xfffff));
    else s += String.fromCharCode(0xd800 + Math.floor(r() * 0x800)); // a lone surrogate
  }
  return s;
}

test("TextEncoder matches Node's on random strings, lone surrogates included", () => {
  const ours = new Utf8TextEncoder();
  const node = new TextEncoder();
  assert.equal(ours.encoding, "utf-8");
  assert.deepEqual(ours.encode(), new Uint8Array(0));
  const r = rng(1);
  for (let i = 0; i < 2000; i++) {
    const s = randomString(r, Math.floor(r() * 40));
    assert.deepEqual(ours.encode(s), node.encode(s), JSON.stringify(s));
  }
  assert.deepEqual([...ours.encode("\ud800")], [0xef, 0xbf, 0xbd]);
  assert.deepEqual([...ours.encode("a\udc00b")], [0x61, 0xef, 0xbf, 0xbd, 0x62]);
});

test("encodeInto never splits a character and reports read and written like Node", () => {
  const ours = new Utf8TextEncoder();
  const node = new TextEncoder();
  const r = rng(2);
  for (let i = 0; i < 500; i++) {
    const s = randomString(r, 20);
    const size = Math.floor(r() * 50);
    const a = new Uint8Array(size);
    const b = new Uint8Array(size);
    assert.deepEqual(ours.encodeInto(s, a), node.encodeInto(s, b), JSON.stringify(s));
    assert.deepEqual(a, b);
  }
});

test("TextDecoder matches Node's on valid and invalid bytes, with U+FFFD per maximal subpart", () => {
  const node = new TextDecoder();
  const r = rng(3);
  for (let i = 0; i < 3000; i++) {
    const bytes = new Uint8Array(Math.floor(r() * 30)).map(() => {
      const k = r();
      return k < 0.3 ? Math.floor(r() * 128) : k < 0.6 ? 0x80 + Math.floor(r() * 64) : 0xc0 + Math.floor(r() * 64);
    });
    assert.equal(new Utf8TextDecoder().decode(bytes), node.decode(bytes), `[${bytes}]`);
  }
  const cases = [
    [0xe0, 0x80], // overlong
    [0xed, 0xa0, 0x80], // an encoded surrogate
    [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
    [0xf0, 0x9f, 0x98], // truncated at the end
    [0xc3],
    [0xff, 0xfe, 0x41],
  ];
  for (const c of cases) assert.equal(new Utf8TextDecoder().decode(new Uint8Array(c)), node.decode(new Uint8Array(c)), `[${c}]`);
  const s = randomString(rng(4), 5000);
  const big = new TextEncoder().encode(s);
  assert.equal(new Utf8TextDecoder().decode(big), node.decode(big), "long input (chunked output)");
  assert.equal(new Utf8TextDecoder().decode(big.buffer), node.decode(big), "ArrayBuffer input");
  assert.equal(new Utf8TextDecoder().decode(new DataView(big.buffer, 3, 10)), node.decode(new DataView(big.buffer, 3, 10)));
  assert.equal(new Utf8TextDecoder().decode(), "");
});

test("TextDecoder: streaming, BOM, fatal, labels", () => {
  const text = "héllo 😀 wörld ✓";
  const bytes = new TextEncoder().encode(text);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const d = new Utf8TextDecoder();
    assert.equal(d.decode(bytes.subarray(0, cut), { stream: true }) + d.decode(bytes.subarray(cut)), text, `cut at ${cut}`);
  }
  const d = new Utf8TextDecoder();
  assert.equal(d.decode(new Uint8Array([0xf0, 0x9f]), { stream: true }), "");
  assert.equal(d.decode(), "\ufffd", "an unfinished sequence is replaced when the stream ends");
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x41]);
  assert.equal(new Utf8TextDecoder().decode(bom), "A");
  assert.equal(new Utf8TextDecoder("utf-8", { ignoreBOM: true }).decode(bom), "\ufeffA");
  assert.equal(new Utf8TextDecoder().decode(new Uint8Array([0x41, 0xef, 0xbb, 0xbf])), "A\ufeff", "only a leading BOM is dropped");
  const fatal = new Utf8TextDecoder("utf8", { fatal: true });
  assert.throws(() => fatal.decode(new Uint8Array([0x41, 0xc3])), TypeError);
  assert.equal(fatal.decode(new Uint8Array([0x41])), "A", "usable after a fatal error");
  assert.throws(() => new Utf8TextDecoder("latin1"), RangeError);
  assert.equal(new Utf8TextDecoder(" UTF-8 ").encoding, "utf-8");
  assert.throws(() => new Utf8TextDecoder().decode("abc"), TypeError);
});

test("ChaCha20 block matches RFC 8439 §2.3.2", () => {
  const key = new Uint32Array(8);
  const kb = new Uint8Array(32).map((_, i) => i); // the key 00 01 02 ... 1f, as little-endian words
  for (let i = 0; i < 8; i++) key[i] = kb[i * 4] | (kb[i * 4 + 1] << 8) | (kb[i * 4 + 2] << 16) | (kb[i * 4 + 3] << 24);
  const nonce = new Uint32Array([0x09000000, 0x4a000000, 0x00000000]);
  const out = new Uint8Array(64);
  chacha20Block(key, 1, nonce, out);
  const want =
    "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e" +
    "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e";
  assert.equal(Buffer.from(out).toString("hex"), want);
});

test("getRandomValues: WebCrypto's contract, and output that never repeats", () => {
  const gen = new ChaChaRandom(new Uint8Array(32).fill(7));
  const grv = makeGetRandomValues(gen);
  const a = new Uint32Array(8);
  assert.equal(grv(a), a, "returns its argument");
  assert.ok(a.some((x) => x !== 0));
  const seen = new Set();
  for (let i = 0; i < 1000; i++) seen.add(Buffer.from(grv(new Uint8Array(16))).toString("hex"));
  assert.equal(seen.size, 1000);
  const view = new Uint8Array(64);
  grv(view.subarray(10, 20));
  assert.ok(view.subarray(0, 10).every((x) => x === 0) && view.subarray(20).every((x) => x === 0), "only the view is written");
  assert.throws(() => grv(new Float64Array(2)), { name: "TypeMismatchError" });
  assert.throws(() => grv([1, 2]), { name: "TypeMismatchError" });
  assert.throws(() => grv(new Uint8Array(65537)), { name: "QuotaExceededError" });
  grv(new Uint8Array(65536));
  // Byte frequencies of a large sample are flat (a broken generator fails this by far).
  const sample = new Uint8Array(65536);
  grv(sample);
  const counts = new Array(256).fill(0);
  for (const b of sample) counts[b]++;
  const chi = counts.reduce((s, c) => s + (c - 256) ** 2 / 256, 0);
  assert.ok(chi < 400, `chi-square ${chi}`);
});

test("the seed comes from wx.getRandomValues when there is one", async () => {
  const a = new ChaChaRandom(new Uint8Array(32));
  const b = new ChaChaRandom(new Uint8Array(32));
  let asked = 0;
  const wx = {
    getRandomValues({ length, success }) {
      asked = length;
      setTimeout(() => success({ randomValues: new Uint8Array(length).fill(9).buffer }), 1);
    },
  };
  assert.equal(await seedFromWx(a, wx), true);
  assert.equal(asked, 64);
  assert.equal(a.source, "wx.getRandomValues");
  const x = new Uint8Array(32);
  const y = new Uint8Array(32);
  a.fill(x);
  b.fill(y);
  assert.notDeepEqual(x, y, "the entropy changed the key");
  assert.equal(await seedFromWx(b, {}), false, "no API: the weak seed stays");
  assert.equal(b.source, "Math.random");
  assert.equal(await seedFromWx(b, { getRandomValues: ({ fail }) => fail({ errMsg: "getRandomValues:fail" }) }), false);
});

test("the clock never goes back and counts milliseconds", () => {
  let wall = 1_000_000;
  const now = monotonicClock(() => wall);
  assert.equal(now(), 0);
  wall += 250;
  assert.equal(now(), 250);
  wall -= 10_000; // the user sets the clock back
  assert.equal(now(), 250);
  wall += 10_100;
  assert.equal(now(), 350);
});

/** A realm like a mini-program's: ECMAScript built-ins only, no code generation from strings. */
function bareRealm() {
  const ctx = vm.createContext({}, { codeGeneration: { strings: false, wasm: false } });
  vm.runInContext("delete globalThis.WebAssembly", ctx);
  return ctx;
}

test("in a bare realm, installPolyfills provides exactly what wasm_exec.js checks for", async () => {
  const ctx = bareRealm();
  const missing = JSON.parse(vm.runInContext("JSON.stringify([typeof TextEncoder, typeof TextDecoder, typeof crypto, typeof performance, typeof WebAssembly])", ctx));
  assert.deepEqual(missing, ["undefined", "undefined", "undefined", "undefined", "undefined"]);
  // Load the polyfills module's code into the realm through the miniprogram bundle, the way a
  // mini-program runs it, and call the exported installPolyfills there.
  const bundle = readFileSync(path.join(packageDir, "dist/miniprogram/index.js"), "utf8");
  const mod = { exports: {} };
  vm.runInContext(`(function (module, exports) {${bundle}\n})`, ctx)(mod, mod.exports);
  ctx.console = { warn: () => {} };
  const state = mod.exports.installPolyfills({ getRandomValues: ({ length, success }) => setTimeout(() => success({ randomValues: new Uint8Array(length).fill(1).buffer }), 1) });
  assert.deepEqual([...state.installed], ["TextEncoder", "TextDecoder", "crypto.getRandomValues", "performance.now", "WebAssembly.Instance"]);
  assert.equal(await state.randomReady, "wx.getRandomValues");
  assert.equal(mod.exports.installPolyfills(), state, "idempotent");
  // wasm_exec.js's checks pass, and the text codecs round-trip in that realm.
  const check = vm.runInContext(
    `JSON.stringify([
      !!globalThis.crypto && typeof crypto.getRandomValues(new Uint8Array(4)).length,
      typeof performance.now(),
      new TextDecoder("utf-8").decode(new TextEncoder("utf-8").encode("Go ✓ 😀")),
    ])`,
    ctx,
  );
  assert.deepEqual(JSON.parse(check), ["number", "number", "Go ✓ 😀"]);
  assert.throws(() => vm.runInContext("new WebAssembly.Instance()", ctx), /WXWebAssembly/);
});

test("native implementations always win", () => {
  // Node has everything: installPolyfills leaves every global as it was.
  const before = [globalThis.TextEncoder, globalThis.TextDecoder, globalThis.crypto, globalThis.performance, globalThis.WebAssembly];
  const state = installPolyfills();
  assert.deepEqual(state.installed, []);
  assert.deepEqual([globalThis.TextEncoder, globalThis.TextDecoder, globalThis.crypto, globalThis.performance, globalThis.WebAssembly], before);
  assert.equal(installWebAssemblyShim({ WebAssembly }), false);
});

test("asInstance makes a WXWebAssembly result pass instanceof WebAssembly.Instance", async () => {
  const g = {};
  assert.equal(installWebAssemblyShim(g), true);
  const exports = { mem: {}, run() {} };
  for (const result of [{ instance: { exports }, module: {} }, { exports }]) {
    const inst = asInstance(result, g);
    assert.ok(inst instanceof g.WebAssembly.Instance);
    assert.equal(inst.exports, exports);
  }
  // A real instance (DevTools may have WebAssembly) is passed through unchanged.
  const real = await WebAssembly.instantiate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  assert.equal(asInstance(real, globalThis), real.instance);
  assert.throws(() => asInstance({}, g), /without an instance/);
});

test("the browser entry never reaches the polyfills or the wx transports", () => {
  // What dist/index.js loads, statically or through import(): the files it reaches, which must be
  // those of the build's metafile, and the modules these files hold, according to the metafile.
  const { files, inputs } = metaClosure("index.js");
  assert.deepEqual(fileClosure("index.js"), files, "the files reached by their imports are those of the metafile");
  for (const m of ["build/loader.js", "build/client.js", "build/wasm_exec.js"]) assert.ok(inputs.includes(m), inputs.join(" "));
  assert.deepEqual(inputs.filter((f) => f.startsWith("build/polyfills/") || f.includes("wechat")), [], "nothing WeChat-specific in the browser graph");
});
