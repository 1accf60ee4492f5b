// The shipped JavaScript as scripts/build.mjs makes it: minified ESM bundles split into the two
// entry points, one shared chunk and a lazily loaded wasm_exec.js chunk; the script-tag build;
// the CommonJS build for Node; the minified CommonJS mini-program bundle; their source maps (not
// shipped); and what minification must not change (the magic comments of the node: imports, the
// exported names, the class names).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire, SourceMap } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { inspect, promisify } from "node:util";
import vm from "node:vm";

import { distDir, fileClosure, metaClosure, metafile, packageDir } from "./dist-graph.js";

const read = (rel) => readFileSync(path.join(distDir, rel), "utf8");
/** Every .js file of dist/, relative paths, the mini-program bundle included. */
const shippedJS = readdirSync(distDir, { recursive: true })
  .filter((f) => f.endsWith(".js"))
  .sort();
const topJS = shippedJS.filter((f) => !f.includes(path.sep));
/** The ES modules: the top-level files but the script-tag build. */
const esmJS = topJS.filter((f) => f !== "floo.iife.js");
const sharedChunk = topJS.filter((f) => f.startsWith("chunk-"));
const wasmExecChunk = topJS.filter((f) => f.startsWith("wasm_exec-"));

const importDist = (rel) => import(pathToFileURL(path.join(distDir, rel)).href);
const importBuild = (rel) => import(pathToFileURL(path.join(packageDir, "build", rel)).href);

/** Runs the mini-program bundle as WeChat does (a CommonJS function) and returns its exports. */
function loadMiniprogram() {
  const mod = { exports: {} };
  vm.runInThisContext(`(function (module, exports) {${read("miniprogram/index.js")}\n})`)(mod, mod.exports);
  return mod.exports;
}

/** Runs the script-tag build as a page would, with document.currentScript at `src`; returns window.flooIM. */
function loadIIFE(src = "https://cdn.example/sdk/floo.iife.js", dataset = {}, extra = {}) {
  const win = { document: { currentScript: { src, dataset } }, location: { href: "https://app.example/chat/" } };
  const ctx = vm.createContext({
    ...win,
    ...{ console, URL, TextEncoder, TextDecoder, WebAssembly, crypto, performance, setTimeout, clearTimeout, queueMicrotask },
    ...extra,
  });
  ctx.globalThis = ctx;
  vm.runInContext(read("floo.iife.js"), ctx);
  return ctx.flooIM;
}

test("dist holds the two entry points, one shared chunk and the wasm_exec.js chunk", () => {
  assert.equal(sharedChunk.length, 1, topJS.join(" "));
  assert.equal(wasmExecChunk.length, 1, topJS.join(" "));
  assert.deepEqual(topJS, ["floo.iife.js", "index.js", "wechat.js", ...sharedChunk, ...wasmExecChunk].sort());
  assert.deepEqual(
    shippedJS.filter((f) => f.includes(path.sep)),
    [path.join("cjs", "index.js"), path.join("cjs", "wechat.js"), path.join("miniprogram", "index.js")],
  );
  for (const entry of ["index.js", "wechat.js"]) {
    const { files, eager, inputs } = metaClosure(entry);
    assert.deepEqual(fileClosure(entry), files, `${entry}: the files reached by their imports are those of the metafile`);
    assert.deepEqual(files, [entry, sharedChunk[0], wasmExecChunk[0]].sort(), entry);
    // wasm_exec.js is needed only when the module loads: nothing imports its chunk statically.
    assert.deepEqual(eager, [entry, sharedChunk[0]].sort(), `${entry} loads wasm_exec.js lazily`);
    assert.ok(inputs.includes("build/errors.js") && inputs.includes("build/loader.js"), inputs.join(" "));
  }
  const outputs = metafile().outputs;
  // Each module is in one file only: a second copy would mean a second FlooError class or loader.
  const where = new Map();
  for (const [out, info] of Object.entries(outputs)) {
    for (const i of Object.keys(info.inputs)) where.set(i, [...(where.get(i) ?? []), out]);
  }
  for (const [i, outs] of where) assert.equal(outs.length, 1, `${i} is in ${outs.join(" ")}`);
  assert.deepEqual(Object.keys(outputs[`dist/${wasmExecChunk[0]}`].inputs), ["build/wasm_exec.js"], "wasm_exec.js is alone in its chunk");
  assert.ok("build/errors.js" in outputs[`dist/${sharedChunk[0]}`].inputs, "FlooError is in the shared chunk");
  assert.match(read(wasmExecChunk[0]), /^\/\*! wasm_exec\.js of the Go distribution\. Copyright \d+ The Go Authors\. All rights reserved\./, "Go's notice is kept");
  assert.match(read("miniprogram/index.js"), /\/\*! wasm_exec\.js of the Go distribution\. Copyright \d+ The Go Authors/);
});

test("both entry points share one FlooError class and one client class", async () => {
  const web = await importDist("index.js");
  const wechat = await importDist("wechat.js");
  assert.equal(web.FlooError, wechat.FlooError);
  assert.equal(web.FlooClient, wechat.FlooClient);
  assert.equal(web.ErrorCode, wechat.ErrorCode);
  assert.ok(wechat.FlooError.fromName("InvalidParam", "x") instanceof web.FlooError);
});

test("every dynamic import of a node: module keeps its bundler comments", () => {
  const found = [];
  for (const f of [...esmJS, "floo.iife.js", path.join("miniprogram", "index.js")]) {
    const src = read(f);
    for (const m of src.matchAll(/\bimport\s*\(([^)]*)\)/g)) {
      const spec = /["'](node:[^"']+)["']\s*$/.exec(m[1]);
      if (!spec) continue;
      found.push(`${f} ${spec[1]}`);
      assert.ok(m[1].includes("/* webpackIgnore: true */"), `${f}: ${m[0]} lacks webpackIgnore`);
      assert.ok(m[1].includes("/* @vite-ignore */"), `${f}: ${m[0]} lacks @vite-ignore`);
    }
    // Any other mention of a node: module as an import or a require would escape the check above.
    assert.doesNotMatch(src, /\bfrom\s*["']node:|\bimport\s*["']node:|\brequire\s*\(\s*["']node:/, f);
  }
  assert.deepEqual(found.sort(), [`${sharedChunk[0]} node:crypto`, `${sharedChunk[0]} node:fs/promises`].sort());
  // The mini-program bundle and the script-tag build replace them with a module that throws:
  // they must require nothing.
  assert.doesNotMatch(read("miniprogram/index.js"), /\brequire\s*\(/);
  assert.doesNotMatch(read("floo.iife.js"), /\brequire\s*\(|\bimport\s*\(/);
});

test("the bundles export what the modules tsc compiled export", async () => {
  const names = (m) => Object.keys(m).sort();
  const webSrc = await importBuild("index.js");
  const wechatSrc = await importBuild("wechat.js");
  assert.deepEqual(names(await importDist("index.js")), names(webSrc));
  assert.deepEqual(names(await importDist("wechat.js")), names(wechatSrc));
  assert.deepEqual(names(loadMiniprogram()), names(wechatSrc));
  const require = createRequire(import.meta.url);
  assert.deepEqual(names(require(path.join(distDir, "cjs/index.js"))), names(webSrc));
  assert.deepEqual(names(require(path.join(distDir, "cjs/wechat.js"))), names(wechatSrc));
  const flooIM = loadIIFE();
  assert.equal(typeof flooIM, "function");
  assert.deepEqual(names(flooIM).filter((n) => n !== "default"), names(webSrc).filter((n) => n !== "default"));
  assert.ok(names(webSrc).includes("FlooError") && names(wechatSrc).includes("installPolyfills"));
});

test("minification keeps the names classes show at runtime", async () => {
  const isClass = (v) => typeof v === "function" && /^class\b/.test(Function.prototype.toString.call(v));
  const bundles = [
    ["index.js", await importDist("index.js"), await importBuild("index.js")],
    ["wechat.js", await importDist("wechat.js"), await importBuild("wechat.js")],
    ["miniprogram/index.js", loadMiniprogram(), await importBuild("wechat.js")],
  ];
  for (const [file, bundle, source] of bundles) {
    const classes = Object.keys(source).filter((k) => k !== "default" && isClass(source[k]));
    assert.ok(classes.includes("FlooError") && classes.includes("FlooClient"), `${file}: ${classes}`);
    for (const k of classes) assert.equal(bundle[k].name, source[k].name, `${file}: the class exported as ${k}`);
    const err = bundle.FlooError.fromName("InvalidParam", "bad uid");
    assert.equal(err.name, "FlooError", file);
    assert.equal(err.constructor.name, "FlooError", file);
    assert.equal(String(err), "FlooError: bad uid", file);
    assert.match(inspect(err), /^FlooError: bad uid\n/, `${file}: how Node prints it`);
    assert.equal(err.stack.split("\n")[0], "FlooError: bad uid", file);
  }
});

test("every built file has a source map down to the TypeScript, sources included, not linked", () => {
  for (const f of shippedJS) {
    const src = read(f);
    // The maps are not in the package: a link to them would make bundlers and devtools warn.
    assert.doesNotMatch(src, /sourceMappingURL/, `${f} does not link a map`);
    const map = JSON.parse(read(`${f}.map`));
    assert.ok(map.sources.length > 0, f);
    assert.equal(map.sourcesContent.length, map.sources.length, f);
    for (const [i, s] of map.sources.entries()) {
      // The mini-program bundle also has the stand-ins of the node: modules (scripts/build.mjs).
      const ok = s.endsWith(".ts") || s.endsWith("/wasm_exec.js") || (/^(miniprogram|floo\.iife)/.test(f) && s.startsWith("no-node:node:"));
      assert.ok(ok, `${f}: ${s} is TypeScript, Go's wasm_exec.js or a node: stand-in`);
      assert.equal(typeof map.sourcesContent[i], "string", `${f}: the content of ${s}`);
    }
  }
});

test("source maps point at the line that holds the code", () => {
  // Each needle's first occurrence in the file must map to a source line that holds it too: this
  // fails when the post-build rewrites (the node: comments, Go's notice) move code.
  const cases = [
    [sharedChunk[0], ["is not initialized", "node:fs/promises", "cannot load ", "node:crypto", "asyncKickDevice"]],
    [wasmExecChunk[0], ["not implemented", "Go program has already exited"]],
    ["wechat.js", ["WXWebAssembly is not available"]],
    ["miniprogram/index.js", ["is not initialized", "WXWebAssembly is not available", "Go program has already exited"]],
  ];
  for (const [f, needles] of cases) {
    const src = read(f);
    const raw = JSON.parse(read(`${f}.map`));
    const map = new SourceMap(raw);
    for (const needle of needles) {
      const at = src.indexOf(needle);
      assert.ok(at >= 0, `${f} holds ${needle}`);
      const line = src.slice(0, at).split("\n").length - 1;
      const column = at - (src.lastIndexOf("\n", at - 1) + 1);
      const e = map.findEntry(line, column);
      const i = raw.sources.indexOf(e.originalSource);
      assert.ok(i >= 0, `${f}: ${needle} maps to ${e.originalSource}`);
      const original = raw.sourcesContent[i].split("\n")[e.originalLine];
      assert.ok(original.includes(needle), `${f}: ${needle} maps to ${e.originalSource}:${e.originalLine + 1}: ${original}`);
    }
  }
});

test("npm pack ships dist without source maps, one brotli module and the licence", async () => {
  const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: packageDir });
  const [info] = JSON.parse(stdout);
  const files = info.files.map((f) => f.path);
  const outside = files.filter((f) => !f.startsWith("dist/") && !["package.json", "README.md", "LICENSE"].includes(f));
  assert.deepEqual(outside, []);
  for (const f of shippedJS) {
    const p = `dist/${f.split(path.sep).join("/")}`;
    assert.ok(files.includes(p), `${p} is shipped`);
  }
  assert.deepEqual(files.filter((f) => f.endsWith(".map")), [], "no source map is shipped");
  assert.deepEqual(files.filter((f) => f.endsWith(".br")), ["dist/miniprogram/floo.wasm.br"], "one brotli copy");
  for (const f of ["LICENSE", "dist/index.d.ts", "dist/wechat.d.ts", "dist/cjs/index.d.ts", "dist/cjs/wechat.d.ts", "dist/cjs/package.json", "dist/floo.wasm"]) {
    assert.ok(files.includes(f), `${f} is shipped`);
  }
  assert.equal(readFileSync(path.join(packageDir, "LICENSE"), "utf8"), readFileSync(path.join(packageDir, "..", "LICENSE"), "utf8"));
  console.log(`npm pack: ${info.size} bytes packed, ${info.unpackedSize} installed, ${info.entryCount} files`);
});

test("the script-tag build defines window.flooIM, loading floo.wasm from beside the script", async () => {
  /** The URL the build fetches the module from, with the script at `src`. */
  const fetched = async (src, dataset, options) => {
    const urls = [];
    const fetch = async (url) => {
      urls.push(String(url));
      throw new Error("no network in this test");
    };
    const flooIM = loadIIFE(src, dataset, { fetch });
    await assert.rejects(flooIM.initialize(options), /no network in this test/);
    return urls;
  };
  assert.deepEqual(await fetched("https://cdn.example/sdk/floo.iife.js"), ["https://cdn.example/sdk/floo.wasm"]);
  assert.deepEqual(await fetched("https://cdn.example/sdk/floo.iife.js", { wasmUrl: "../wasm/floo.wasm" }), ["https://cdn.example/wasm/floo.wasm"]);
  assert.deepEqual(await fetched("https://cdn.example/sdk/floo.iife.js", {}, { wasmURL: "/assets/floo.wasm" }), ["https://app.example/assets/floo.wasm"]);
  const flooIM = loadIIFE();
  assert.equal(flooIM.flooim, flooIM);
  assert.equal(flooIM.default, flooIM);
  assert.equal(typeof flooIM.FlooError, "function");
  assert.equal(flooIM.ErrorCode.InvalidParam, (await importDist("index.js")).ErrorCode.InvalidParam);
});
