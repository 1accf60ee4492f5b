import { defineConfig } from "vite";

// No framework plugin: Vite's own transform (Oxc, which replaced esbuild in Vite 8) compiles the
// Preact JSX with the automatic runtime.
export default defineConfig({
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
