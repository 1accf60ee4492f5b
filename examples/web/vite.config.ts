/// <reference types="node" />
import { createRequire } from "node:module";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, constants } from "node:zlib";
import { defineConfig, type Plugin } from "vite";

/**
 * Writes a brotli sibling (name.br) of every emitted .wasm, .js and .css file, for servers that
 * send precompressed files (the reference server with -web, nginx's brotli_static): the 3.7 MB
 * floo.wasm then travels as 0.7 MB. The module's is the package's own floo.wasm.br (exported as
 * floo-wasm/floo.wasm.br) when the emitted file is the package's floo.wasm byte for byte, which
 * saves compressing 3.7 MB at quality 11 on every build; the rest is compressed here.
 */
function brotliSiblings(): Plugin {
  let outDir = "dist";
  return {
    name: "brotli-siblings",
    apply: "build",
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const require = createRequire(import.meta.url);
      const pkgWasm = readFileSync(require.resolve("floo-wasm/floo.wasm"));
      const pkgBr = readFileSync(require.resolve("floo-wasm/floo.wasm.br"));
      for (const rel of readdirSync(outDir, { recursive: true, encoding: "utf8" })) {
        if (!/\.(wasm|js|css)$/.test(rel)) continue;
        const file = path.join(outDir, rel);
        const raw = readFileSync(file);
        const br =
          rel.endsWith(".wasm") && raw.equals(pkgWasm)
            ? pkgBr
            : brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } });
        if (br.length < raw.length) writeFileSync(`${file}.br`, br);
      }
    },
  };
}

// No framework plugin: Vite's own transform (Oxc, which replaced esbuild in Vite 8) compiles the
// Preact JSX with the automatic runtime.
export default defineConfig({
  plugins: [brotliSiblings()],
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  optimizeDeps: {
    // The dev server's dependency pre-bundling would move floo-wasm's index.js away from its
    // floo.wasm and wasm_exec.js, which it finds relative to import.meta.url; serve it as is.
    exclude: ["floo-wasm"],
  },
  build: {
    target: "es2022",
    // floo.wasm is far above Vite's inlining limit anyway; say so, so it is always a file.
    assetsInlineLimit: (file) => (file.endsWith(".wasm") ? false : undefined),
    chunkSizeWarningLimit: 4096,
  },
});
