// Builds dist/miniprogram/, the folder the package.json "miniprogram" field names: what WeChat
// DevTools' "Build npm" copies into miniprogram_npm/floo-wasm/. It holds index.js, one CommonJS
// file bundling the wechat entry (dist/wechat.js, compiled by tsc) with the loader, the client
// and wasm_exec.js, since mini-programs load CommonJS only and resolve no packages; and
// floo.wasm.br, the module WXWebAssembly.instantiate loads by default.
//
// Run after tsc, with dist/wasm_exec.js and dist/floo.wasm.br in place (scripts/wasm.sh does both).

import { build } from "esbuild";
import { copyFile, mkdir, readFile, rm, stat } from "node:fs/promises";

const dist = new URL("../dist/", import.meta.url);
const out = new URL("miniprogram/", dist);
const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));

for (const need of ["wechat.js", "wasm_exec.js", "floo.wasm.br"]) {
  try {
    await stat(new URL(need, dist));
  } catch {
    console.error(`build-miniprogram: dist/${need} is missing: run scripts/wasm.sh (it builds the wasm, copies wasm_exec.js, compresses and runs tsc)`);
    process.exit(1);
  }
}

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

// The loader reaches Node's fs and crypto through dynamic imports on paths a mini-program never
// takes (file: URLs, Node 18). They become a module that throws, so the bundle requires nothing:
// WeChat cannot resolve a require() of a module that is not in the code package.
const noNodeBuiltins = {
  name: "no-node-builtins",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: "no-node" }));
    b.onLoad({ filter: /.*/, namespace: "no-node" }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not available in a mini-program`)});`,
      loader: "js",
    }));
  },
};

const result = await build({
  entryPoints: [new URL("wechat.js", dist).pathname],
  outfile: new URL("index.js", out).pathname,
  bundle: true,
  format: "cjs",
  platform: "neutral",
  // Old iOS JavaScriptCore: no class fields, private methods, ?? or ?. there.
  target: "es2017",
  // import.meta does not exist in CommonJS; the only use is the default wasm URL, which the
  // wechat entry never takes (it always loads through WXWebAssembly).
  define: { "import.meta.url": "undefined" },
  plugins: [noNodeBuiltins],
  banner: { js: `// floo-wasm ${pkg.version} for WeChat mini-programs (CommonJS bundle of dist/wechat.js). See docs/wechat.md.` },
  legalComments: "inline",
  logLevel: "warning",
  metafile: true,
});
if (result.errors.length > 0) process.exit(1);

await copyFile(new URL("floo.wasm.br", dist), new URL("floo.wasm.br", out));
const js = (await stat(new URL("index.js", out))).size;
const br = (await stat(new URL("floo.wasm.br", out))).size;
console.log(`built dist/miniprogram: index.js ${js} bytes, floo.wasm.br ${br} bytes`);
