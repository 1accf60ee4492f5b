import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";

const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
const wasmURL = new URL("../dist/floo.wasm", import.meta.url);

// The loader keeps module-level state (it runs once), so each test imports its own instance: ES
// modules are cached per URL, query included. The instances come from build/, tsc's output that
// the bundles are made of (its wasm_exec.js sits next to it): in dist/ the loader is part of a
// shared chunk, which a query on the entry point would not duplicate.
let n = 0;
const freshLoader = () => import(`../build/loader.js?instance=${++n}`);

test("the shipped bundle loads floo.wasm next to it by default, and wasm_exec.js only then", async () => {
  // A process of its own, for a fresh module state: the default URL is resolved against the
  // chunk that holds the loader, so this checks that the chunks sit next to floo.wasm.
  const child = `
    const { initialize } = await import(${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)});
    const before = typeof globalThis.Go;
    await Promise.all([initialize(), initialize({ wasmURL: "file:///ignored.wasm" })]);
    console.log(JSON.stringify({ before, after: typeof globalThis.Go, newClient: typeof globalThis.__flooWasm?.newClient, version: globalThis.__flooWasm?.version }));
    process.exit(0);
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", child], { timeout: 30_000 });
  assert.deepEqual(JSON.parse(stdout), {
    before: "undefined", // the wasm_exec.js chunk is not loaded with the entry point
    after: "function",
    newClient: "function",
    version: pkg.version, // the wasm was built for this package version
  });
});

test("initialize runs once: later calls share the first one, whatever their options", async () => {
  const { initialize } = await freshLoader();
  const p1 = initialize({ wasmURL });
  const p2 = initialize({ wasmURL: "file:///ignored.wasm" });
  await Promise.all([p1, p2]);
  assert.equal(typeof globalThis.Go, "function", "wasm_exec.js was loaded");
  const mod = globalThis.__flooWasm;
  assert.equal(typeof mod.newClient, "function");
  assert.equal(mod.version, pkg.version, "the wasm was built for this package version");
});

test("initialize can be retried after a failure", async () => {
  const { initialize } = await freshLoader();
  await assert.rejects(initialize({ wasmURL: new URL("./no-such.wasm", wasmURL) }), /ENOENT|no such file/);
  await initialize({ wasmURL });
});

test("initialize accepts a compiled module", async () => {
  const { initialize } = await freshLoader();
  const module = await WebAssembly.compile(await readFile(wasmURL));
  await initialize({ wasmModule: module });
  assert.equal(globalThis.__flooWasm.version, pkg.version);
});

test("initialize accepts a custom instantiate (WeChat's WXWebAssembly.instantiate)", async () => {
  const { initialize } = await freshLoader();
  const bytes = await readFile(wasmURL);
  let seen;
  await initialize({
    instantiate: async (imports) => {
      seen = imports;
      return WebAssembly.instantiate(bytes, imports); // {module, instance}
    },
  });
  assert.ok(seen && typeof seen.gojs === "object", "the Go import object is passed in");
  assert.equal(globalThis.__flooWasm.version, pkg.version);
});

test("a failing custom instantiate rejects with its error", async () => {
  const { initialize } = await freshLoader();
  await assert.rejects(
    initialize({
      instantiate: async () => {
        throw new Error("no WXWebAssembly here");
      },
    }),
    /no WXWebAssembly here/,
  );
});

test("using the module before initialize is a clear error", async () => {
  const { goModule } = await freshLoader();
  assert.throws(() => goModule(), (e) => e.name === "FlooError" && /not initialized/.test(e.message));
});

test("an http(s) URL is fetched, streaming when the type is application/wasm", async (t) => {
  const bytes = await readFile(wasmURL);
  for (const type of ["application/wasm", "application/octet-stream"]) {
    const { initialize } = await freshLoader();
    const realFetch = globalThis.fetch;
    const requested = [];
    globalThis.fetch = async (url) => {
      requested.push(String(url));
      return new Response(bytes, { status: 200, headers: { "content-type": type } });
    };
    t.after(() => {
      globalThis.fetch = realFetch;
    });
    await initialize({ wasmURL: "https://cdn.example.com/floo.wasm" });
    globalThis.fetch = realFetch;
    assert.deepEqual(requested, ["https://cdn.example.com/floo.wasm"], type);
  }
  const { initialize } = await freshLoader();
  const realFetch = globalThis.fetch;
  globalThis.fetch = async () => new Response("missing", { status: 404 });
  try {
    await assert.rejects(initialize({ wasmURL: "https://cdn.example.com/floo.wasm" }), /HTTP 404/);
  } finally {
    globalThis.fetch = realFetch;
  }
});
