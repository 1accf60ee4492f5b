// Builds the runtime JavaScript of dist/ with esbuild, from what tsc wrote into build/ (which is
// never shipped). npm run build runs tsc first: it writes the .d.ts files into dist/ and the
// JavaScript, with source maps holding the TypeScript, into build/.
//
//   dist/index.js, dist/wechat.js   the entry points of the exports map: minified ESM, split so
//                                   that the code both use is one shared chunk (a single FlooError
//                                   class, a single loader and module instance)
//   dist/chunk-<hash>.js            that shared chunk
//   dist/wasm_exec-<hash>.js        Go's wasm_exec.js, a chunk the loader imports only when it
//                                   loads the module (scripts/wasm.sh copies it into build/ from the
//                                   toolchain that built floo.wasm)
//   dist/floo.iife.js               the script-tag build: one minified classic script (es2022) that
//                                   defines window.flooIM (src/iife.ts), wasm_exec.js included
//   dist/cjs/                       the CommonJS build for Node's require(): index.js and wechat.js,
//                                   each one minified file with wasm_exec.js included, beside a
//                                   copy of the .d.ts files, and a package.json saying
//                                   "type": "commonjs" so that both are read as CommonJS
//   dist/**/*.js.map                source maps down to the TypeScript, sources included, not
//                                   linked from the files and not in the package ("files"): they
//                                   are for debugging a checkout
//   dist/miniprogram/               the folder the "miniprogram" field names, what WeChat DevTools'
//                                   "Build npm" copies: index.js, one minified CommonJS file (es2017)
//                                   bundling the wechat entry with wasm_exec.js, since mini-programs
//                                   load CommonJS only and resolve no packages; and floo.wasm.br,
//                                   the module WXWebAssembly.instantiate loads by default, the
//                                   package's only brotli copy (exported as floo-wasm/floo.wasm.br)
//   build/meta.json                 esbuild's metafile of the ESM build, which the tests read
//
// Why bundle tsc's output rather than the TypeScript: tsc stays the only compiler, so the modules
// the tests import one by one from build/ (the loader, the transports, the polyfills) are the very
// code the bundles contain, and esbuild only adds bundling and minification. esbuild follows the
// source maps tsc wrote, so the shipped maps still point at src/*.ts.
//
// Run by npm run build after tsc, with build/wasm_exec.js and build/floo.wasm.br in place
// (scripts/wasm.sh does both, then runs npm run build).

import { build } from "esbuild";
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tscOut = path.join(root, "build");
const dist = path.join(root, "dist");
const mpOut = path.join(dist, "miniprogram");
const pkg = JSON.parse(await readFile(path.join(root, "package.json"), "utf8"));

function fail(msg) {
  console.error(`build: ${msg}`);
  process.exit(1);
}

for (const need of ["build/index.js", "build/wechat.js", "build/iife.js", "build/wasm_exec.js", "build/floo.wasm.br"]) {
  try {
    await stat(path.join(root, need));
  } catch {
    fail(`${need} is missing: run scripts/wasm.sh (it builds the wasm, copies wasm_exec.js into build/, compresses, then runs tsc and this script)`);
  }
}

// The node: modules the loader imports dynamically, on paths only Node takes (a file: URL, Node
// 18 without a global crypto). An app bundling floo-wasm with webpack or Vite must leave these
// imports alone, which the comments below tell them; esbuild drops comments when it minifies.
const NODE_IMPORTS = ["node:crypto", "node:fs/promises"];
const MAGIC = "/* webpackIgnore: true */ /* @vite-ignore */ ";

// esbuild has no option to keep them, so they are put back after the build. Each node: import is
// emitted as an external import of a placeholder exactly as long as the comments plus the quoted
// specifier, which then replace it: no code moves, so the source maps stay right untouched. The
// build fails unless each expected import is found exactly once.
const placeholder = (spec) => {
  const head = `floo-keep-comments:${spec}:`;
  return head + "_".repeat(MAGIC.length + spec.length - head.length);
};

const keepNodeImports = {
  name: "keep-node-imports",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      if (!NODE_IMPORTS.includes(args.path)) {
        return { errors: [{ text: `unexpected import of ${args.path}: the browser bundle may only import ${NODE_IMPORTS.join(", ")} (see NODE_IMPORTS)` }] };
      }
      if (args.kind !== "dynamic-import") {
        return { errors: [{ text: `${args.path} must be imported with import(), on a path only Node takes: a static import breaks browsers` }] };
      }
      return { path: placeholder(args.path), external: true };
    });
  },
};

/** Swaps every placeholder in text; counts[spec] grows by the number swapped. */
function restoreNodeImports(text, counts) {
  for (const spec of NODE_IMPORTS) {
    const parts = text.split(`import("${placeholder(spec)}")`);
    counts[spec] += parts.length - 1;
    text = parts.join(`import(${MAGIC}${JSON.stringify(spec)})`);
  }
  if (text.includes("floo-keep-comments:")) fail("a node: import placeholder survived in an unexpected form");
  return text;
}

// Go's wasm_exec.js opens with its licence notice (BSD) in line comments, which minification
// drops; it goes back on top of its chunk, and of the mini-program bundle, as a legal comment.
const header = (await readFile(path.join(tscOut, "wasm_exec.js"), "utf8")).match(/^(?:\/\/[^\n]*\n)+/);
if (!header || !header[0].includes("The Go Authors")) fail("build/wasm_exec.js does not open with the Go authors' notice: is it Go's wasm_exec.js?");
const notice = header[0].trim().split("\n").map((l) => l.replace(/^\/\/ ?/, "")).join(" ");
const GO_NOTICE = `/*! wasm_exec.js of the Go distribution. ${notice.replace(/\*\//g, "")} (https://go.dev/LICENSE) */`;

// Remove the JavaScript a previous build left; the .d.ts files (just written by tsc) and the
// wasm (scripts/wasm.sh) stay.
await rm(mpOut, { recursive: true, force: true });
await rm(path.join(dist, "cjs"), { recursive: true, force: true });
for (const f of await readdir(dist, { recursive: true })) {
  if (f.endsWith(".js") || f.endsWith(".js.map")) await rm(path.join(dist, f));
}

// --- The ESM entry points -------------------------------------------------------------------

const esm = await build({
  absWorkingDir: root,
  entryPoints: ["build/index.js", "build/wechat.js"],
  outdir: "dist",
  outbase: "build",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  minify: true,
  sourcemap: "external",
  sourcesContent: true,
  chunkNames: "[name]-[hash]",
  plugins: [keepNodeImports],
  write: false,
  metafile: true,
  logLevel: "warning",
});
if (esm.errors.length > 0) process.exit(1);

const counts = Object.fromEntries(NODE_IMPORTS.map((s) => [s, 0]));
let wasmExecChunk;
for (const [out, info] of Object.entries(esm.metafile.outputs)) {
  if (info.inputs["build/wasm_exec.js"]) {
    if (wasmExecChunk || Object.keys(info.inputs).length !== 1) fail(`wasm_exec.js must be a chunk of its own, found in ${out}`);
    wasmExecChunk = out;
  }
}
if (!wasmExecChunk) fail("no chunk holds wasm_exec.js");
for (const file of esm.outputFiles) {
  const rel = path.relative(root, file.path);
  let text = file.text;
  if (rel.endsWith(".js")) {
    text = restoreNodeImports(text, counts);
    if (rel === wasmExecChunk) text = `${GO_NOTICE}\n${text}`;
  } else if (rel === `${wasmExecChunk}.map`) {
    // One line more on top: every generated line moves down by one.
    const map = JSON.parse(text);
    map.mappings = `;${map.mappings}`;
    text = JSON.stringify(map);
  }
  await mkdir(path.dirname(file.path), { recursive: true });
  await writeFile(file.path, text);
}
for (const spec of NODE_IMPORTS) {
  if (counts[spec] !== 1) fail(`expected exactly one import() of ${spec} in the bundle, found ${counts[spec]}`);
}
// The metafile names the placeholders as imports; put the real specifiers back for its readers.
let meta = JSON.stringify(esm.metafile, null, 1);
for (const spec of NODE_IMPORTS) meta = meta.split(placeholder(spec)).join(spec);
await writeFile(path.join(tscOut, "meta.json"), meta);

// --- The mini-program CommonJS bundle ----------------------------------------------------------

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

const mp = await build({
  absWorkingDir: root,
  entryPoints: ["build/wechat.js"],
  outfile: "dist/miniprogram/index.js",
  bundle: true,
  format: "cjs",
  platform: "neutral",
  // Old iOS JavaScriptCore: no class fields, private methods, ?? or ?. there.
  target: "es2017",
  minify: true,
  sourcemap: "external",
  sourcesContent: true,
  // import.meta does not exist in CommonJS; the only use is the default wasm URL, which the
  // wechat entry never takes (it always loads through WXWebAssembly).
  define: { "import.meta.url": "undefined" },
  plugins: [noNodeBuiltins],
  banner: {
    js: `// floo-wasm ${pkg.version} for WeChat mini-programs (CommonJS bundle of the wechat entry). See docs/wechat.md.\n${GO_NOTICE}`,
  },
  logLevel: "warning",
});
if (mp.errors.length > 0) process.exit(1);
await copyFile(path.join(tscOut, "floo.wasm.br"), path.join(mpOut, "floo.wasm.br"));

// --- The script-tag build ----------------------------------------------------------------------

// A classic script has no import.meta; src/iife.ts always passes a wasm URL (beside the script),
// so the loader never reads it. The node: imports become modules that throw, as above.
const iife = await build({
  absWorkingDir: root,
  entryPoints: ["build/iife.js"],
  outfile: "dist/floo.iife.js",
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: "external",
  sourcesContent: true,
  define: { "import.meta.url": "undefined" },
  plugins: [noNodeBuiltins],
  banner: { js: `/*! floo-wasm ${pkg.version}, script-tag build: defines window.flooIM. MIT licence. */\n${GO_NOTICE}` },
  logLevel: "warning",
});
if (iife.errors.length > 0) process.exit(1);

// --- The CommonJS build for Node -----------------------------------------------------------------

// import.meta.url (the default wasm URL, floo.wasm beside the file) becomes this file's URL. The
// node: imports stay imports of Node's modules. Not for bundlers: they take the ES modules.
const cjsOut = path.join(dist, "cjs");
const cjs = await build({
  absWorkingDir: root,
  entryPoints: { index: "build/index.js", wechat: "build/wechat.js" },
  outdir: "dist/cjs",
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "es2022",
  minify: true,
  sourcemap: "external",
  sourcesContent: true,
  define: { "import.meta.url": "__flooModuleURL" },
  banner: { js: `${GO_NOTICE}\nvar __flooModuleURL=require("node:url").pathToFileURL(__dirname+"/../floo.wasm").href;` },
  logLevel: "warning",
});
if (cjs.errors.length > 0) process.exit(1);
await writeFile(path.join(cjsOut, "package.json"), '{ "type": "commonjs" }\n');
// The declarations again, read as CommonJS ones under dist/cjs (their relative imports resolve
// to the copies beside them), so that require() users under moduleResolution node16 get types
// of the format they load.
for (const f of await readdir(dist, { recursive: true })) {
  if (!f.endsWith(".d.ts") || f.startsWith("cjs") || f.startsWith("miniprogram")) continue;
  await mkdir(path.dirname(path.join(cjsOut, f)), { recursive: true });
  await copyFile(path.join(dist, f), path.join(cjsOut, f));
}

// The licence of the repository root goes into the package (npm packs LICENSE from its folder).
await copyFile(path.join(root, "..", "LICENSE"), path.join(root, "LICENSE"));

const size = async (f) => (await stat(path.join(dist, f))).size;
const shipped = (await readdir(dist)).filter((f) => f.endsWith(".js")).sort();
shipped.push("cjs/index.js", "cjs/wechat.js");
const sizes = await Promise.all(shipped.map(async (f) => `${f} ${await size(f)}`));
console.log(`built dist: ${sizes.join(", ")} bytes; miniprogram/index.js ${await size("miniprogram/index.js")} bytes`);
