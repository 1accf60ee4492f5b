#!/usr/bin/env bash
# Prints the raw, gzip and brotli sizes of what the npm package ships (floo.wasm and the JS,
# wasm_exec.js included) and fails when the wasm plus the JS of an entry point (index.js, and
# wechat.js when present) exceed the budget, brotli-compressed. Brotli runs at quality 11
# through Node's zlib, so nothing needs installing.
#
#   scripts/size.sh              build, print, check the budget
#   scripts/size.sh --packages   also list the biggest contributors by Go package
#
# `go tool nm` cannot read wasm binaries, so the per-package list comes from a non-stripped
# build's "name" section: the code size of every function, summed by package. Data (type
# descriptors, pclntab, string literals) is reported as one figure.
source "$(dirname "$0")/lib.sh"
BUDGET=${BUDGET:-700000}

scripts/wasm.sh >/dev/null

step "size of npm/dist (budget: $BUDGET bytes brotli for the wasm + the JS of an entry point)"
status=0
node - "$BUDGET" <<'JS_SIZES' || status=$?
// The budget is checked per entry point: the wasm plus the JS files the entry actually loads
// (its static and dynamic relative imports, followed through the built files), so the
// WeChat-only files do not count against browsers and the other way round.
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const budget = Number(process.argv[2]);
const dist = "npm/dist";
const files = [];
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith(".js") || e.name.endsWith(".wasm")) files.push(p);
  }
})(dist);
const measure = (buf) => ({
  raw: buf.length,
  gzip: zlib.gzipSync(buf, { level: 9 }).length,
  br: zlib.brotliCompressSync(buf, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length,
    },
  }).length,
});
const sizes = new Map();
for (const f of files.sort()) sizes.set(path.relative(dist, f), measure(fs.readFileSync(f)));
const pad = (s, n) => String(s).padStart(n);
const line = (name, r) => console.log(`${name.padEnd(28)}${pad(r.raw, 12)}${pad(r.gzip, 12)}${pad(r.br, 12)}`);
const sum = (names) => {
  const t = { raw: 0, gzip: 0, br: 0 };
  for (const n of names) {
    const r = sizes.get(n);
    t.raw += r.raw;
    t.gzip += r.gzip;
    t.br += r.br;
  }
  return t;
};
const importRe = /(?:\bfrom\s*|\bimport\s*\(\s*(?:\/\*[^]*?\*\/\s*)*|\bimport\s*)["'](\.{1,2}\/[^"']+\.js)["']/g;
const closure = (entry) => {
  const seen = new Set();
  const visit = (rel) => {
    if (seen.has(rel) || !sizes.has(rel)) return;
    seen.add(rel);
    const src = fs.readFileSync(path.join(dist, rel), "utf8");
    for (const m of src.matchAll(importRe)) visit(path.normalize(path.join(path.dirname(rel), m[1])));
  };
  visit(entry);
  return [...seen];
};
console.log(`${"file".padEnd(28)}${pad("raw", 12)}${pad("gzip", 12)}${pad("brotli", 12)}`);
for (const [name, r] of sizes) line(name, r);
let failed = false;
for (const entry of ["index.js", "wechat.js"]) {
  if (!sizes.has(entry)) continue;
  const js = closure(entry);
  console.log("-".repeat(64));
  console.log(`entry ${entry} (${js.length} JS files: ${js.join(" ")})`);
  line("  wasm", sizes.get("floo.wasm"));
  line("  js", sum(js));
  const total = sum(["floo.wasm", ...js]);
  line("  wasm + js", total);
  if (total.br > budget) {
    console.log(`  FAIL: ${total.br} bytes brotli is over the budget of ${budget} by ${total.br - budget}.`);
    failed = true;
  } else {
    console.log(`  OK: ${total.br} bytes brotli, ${budget - total.br} under the budget of ${budget}.`);
  }
}
process.exit(failed ? 1 : 0);
JS_SIZES

step "heavy packages linked into the wasm (should be none)"
heavy=$(wasm_go list -deps ./wasm | grep -E '^(fmt|encoding/json|reflect|net/http|net/url|log/slog|mime/multipart|crypto/rand)$' || true)
if [ -n "$heavy" ]; then
  echo "warning: the wasm module links:"
  sed 's/^/  /' <<<"$heavy"
else
  echo "none"
fi

if [ "${1:-}" = "--packages" ]; then
  step "biggest contributors by Go package (code bytes, non-stripped build)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  GOOS=js GOARCH=wasm go build -trimpath -o "$tmp/floo.wasm" ./wasm
  node - "$tmp/floo.wasm" <<'JS_PACKAGES'
const buf = require("fs").readFileSync(process.argv[2]);
let p = 8;
const leb = () => {
  let r = 0, s = 0, b;
  do {
    b = buf[p++];
    r += (b & 0x7f) * 2 ** s;
    s += 7;
  } while (b & 0x80);
  return r;
};
const skipLimits = () => {
  const flags = buf[p++];
  leb();
  if (flags & 1) leb();
};
let imported = 0, data = 0;
const bodies = [], names = new Map();
while (p < buf.length) {
  const id = buf[p++], size = leb(), end = p + size;
  if (id === 2) {
    // Imports: imported functions come first in the function index space.
    for (let n = leb(); n > 0; n--) {
      p += leb();
      p += leb();
      const kind = buf[p++];
      if (kind === 0) { leb(); imported++; }
      else if (kind === 1) { p++; skipLimits(); }
      else if (kind === 2) skipLimits();
      else p += 2;
    }
  } else if (id === 10) {
    for (let n = leb(); n > 0; n--) { const s = leb(); bodies.push(s); p += s; }
  } else if (id === 11) {
    data += size;
  } else if (id === 0) {
    // The "name" custom section maps function indices to Go symbols.
    const l = leb(), name = buf.toString("utf8", p, p + l);
    p += l;
    while (name === "name" && p < end) {
      const sub = buf[p++], ssize = leb(), send = p + ssize;
      if (sub === 1) {
        for (let n = leb(); n > 0; n--) {
          const i = leb(), nl = leb();
          names.set(i, buf.toString("utf8", p, p + nl));
          p += nl;
        }
      }
      p = send;
    }
  }
  p = end;
}
const byPkg = new Map();
let code = 0;
bodies.forEach((size, i) => {
  code += size;
  const sym = names.get(i + imported) ?? "?";
  // Symbols look like "github.com_flooim_floo_core.(*Client).Login" or "runtime.mallocgc".
  const host = /^(github\.com|golang\.org|go\.uber\.org)_/.exec(sym);
  const dot = sym.indexOf(".", host ? host[0].length : 0);
  const pkg = (dot > 0 ? sym.slice(0, dot) : sym).replace(/_/g, "/");
  byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + size);
});
console.log(`code ${code} bytes in ${bodies.length} functions; data ${data} bytes`);
[...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 25).forEach(([pkg, size]) => {
  console.log(`${String(size).padStart(10)}  ${((100 * size) / code).toFixed(1).padStart(5)}%  ${pkg}`);
});
JS_PACKAGES
fi
exit $status
