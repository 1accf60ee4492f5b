// What an entry point of dist/ loads, found two independent ways: by reading the built files
// (their relative imports, as the minified bundles write them) and from esbuild's metafile of the
// build (build/meta.json, written by scripts/build.mjs). Tests compare the two, so that neither a
// regex that misses an import form nor a stale metafile goes unnoticed.

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The package folder (npm/). */
export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const distDir = path.join(packageDir, "dist");

/**
 * Relative imports in minified ESM: `from"./x.js"` (static imports and re-exports),
 * `import"./x.js"` (for side effects only) and `import("./x.js")`, comments allowed before the
 * specifier of the last.
 */
const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*(?:\/\*[^]*?\*\/\s*)*|\bimport\s*)["'](\.{1,2}\/[^"']+\.js)["']/g;

/** The dist/ files (relative paths) an entry loads, itself included, read from the files. */
export function fileClosure(entry) {
  const seen = new Set();
  const visit = (rel) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    const src = readFileSync(path.join(distDir, rel), "utf8");
    for (const m of src.matchAll(IMPORT_RE)) visit(path.normalize(path.join(path.dirname(rel), m[1])));
  };
  visit(entry);
  return [...seen].sort();
}

/** esbuild's metafile of the ESM build. */
export function metafile() {
  return JSON.parse(readFileSync(path.join(packageDir, "build", "meta.json"), "utf8"));
}

/**
 * The dist/ files an entry loads according to the metafile, and the modules (build/ paths, i.e.
 * tsc's output) they hold. `eager` lists the files the entry cannot run without (static imports,
 * followed from the entry); the others are reached through an import() only.
 */
export function metaClosure(entry) {
  const { outputs } = metafile();
  const walk = (staticOnly) => {
    const seen = new Set();
    const visit = (out) => {
      if (seen.has(out)) return;
      const info = outputs[out];
      if (!info) throw new Error(`the metafile has no output ${out}`);
      seen.add(out);
      for (const imp of info.imports) {
        if (!imp.external && (!staticOnly || imp.kind === "import-statement")) visit(imp.path);
      }
    };
    visit(`dist/${entry}`);
    return [...seen];
  };
  const all = walk(false);
  const rel = (f) => path.relative("dist", f);
  return {
    files: all.map(rel).sort(),
    eager: walk(true).map(rel).sort(),
    inputs: [...new Set(all.flatMap((f) => Object.keys(outputs[f].inputs)))].sort(),
  };
}
