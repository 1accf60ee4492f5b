#!/usr/bin/env bash
# Prints the raw, gzip and brotli sizes of what the npm package ships (floo.wasm and the JS
# bundles, the wasm_exec.js chunk included; not the source maps) and fails when the wasm plus the
# JS of an entry point (index.js, and wechat.js when present) exceed the budget,
# brotli-compressed. Brotli runs at quality 11
# through Node's zlib, so nothing needs installing.
#
#   scripts/size.sh              build, print, check the budget, list costly linked symbols
#   scripts/size.sh --packages   also list the biggest contributors by Go package
#
# `go tool nm` cannot read wasm binaries, so the per-package list comes from a non-stripped
# build (same flags as scripts/wasm.sh) and its "name" section: the code of every function,
# summed by package, raw and brotli-compressed on its own. Data (type descriptors, string
# literals, the pclntab) is split at the pclntab header's offsets.
#
# Measured on this module with Go 1.26: a syscall/js "hello" is 442 KB brotli, and one that
# also uses context and time 515 KB (context.Context's Deadline method keeps time.Time's String
# and with it time formatting and zones; time links internal/godebug and internal/bisect). Each
# function costs runtime metadata on top of its code (its name, pc-value tables, _func entry and
# 16 findfunctab buckets of 20 bytes), so many small functions cost more than their bodies
# suggest: ~40 bytes brotli each as Go's linker writes the data, ~20 once scripts/wasm.sh has
# rewritten the data section (its comment says why), which the figures below are measured on
# (those of the non-stripped build in --packages are not).
source "$(dirname "$0")/lib.sh"
BUDGET=${BUDGET:-700000}

scripts/wasm.sh >/dev/null

step "size of npm/dist (budget: $BUDGET bytes brotli for the wasm + the JS of an entry point)"
status=0
node - "$BUDGET" <<'JS_SIZES' || status=$?
// The budget is checked per entry point: the wasm plus the JS files the entry actually loads
// (its static and dynamic relative imports, followed through the built files: the shared chunk,
// and the wasm_exec.js chunk the loader imports when the module loads), so the WeChat-only code
// does not count against browsers and the other way round. The minified bundles write them
// from"./chunk-X.js" (imports and re-exports), import"./x.js" (side effects only) and
// import("./wasm_exec-X.js"). Source maps (.js.map) are not loaded, so not counted.
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
// The CommonJS build (cjs/) is for Node, which downloads nothing: not an entry here.
const ENTRIES = ["index.js", "floo.iife.js", "wechat.js"];
for (const entry of ENTRIES) {
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
// A top-level JS file no entry reaches is a chunk the import pattern missed (or a stale file):
// the figures above would then be too low.
const reached = new Set(ENTRIES.filter((e) => sizes.has(e)).flatMap(closure));
const stray = [...sizes.keys()].filter((f) => f.endsWith(".js") && !f.includes(path.sep) && !reached.has(f));
if (stray.length > 0) {
  console.log(`FAIL: no entry point loads ${stray.join(" ")}: an import form the size check does not follow?`);
  failed = true;
}
process.exit(failed ? 1 : 0);
JS_SIZES

step "heavy packages linked into the wasm (should be none)"
heavy=$(wasm_go list -deps ./wasm | grep -E '^(fmt|encoding/json|reflect|net/http|net/url|log/slog|mime/multipart|crypto/rand|time|context)$' || true)
if [ -n "$heavy" ]; then
  echo "warning: the wasm module links:"
  sed 's/^/  /' <<<"$heavy"
else
  echo "none"
fi

# Symbols the linker kept that are known to cost size out of proportion to what they do, each
# with the referencing function (from the linker's -dumpdep graph) and the cheaper way.
step "costly symbols linked into the wasm (should be none)"
mapfile -t gcflags < <(scripts/wasm.sh --gcflags)
wasm_go build -trimpath "${gcflags[@]}" -ldflags=-dumpdep -o /dev/null ./wasm 2>&1 | node -e '
const lines = require("fs").readFileSync(0, "utf8").split("\n");
const traps = [
  [/^errors\.As$/, "links internal/reflectlite (~10 KB brotli); errors.AsType needs no reflection"],
  [/^strconv\.\(\*NumError\)\.Error$/, "strconv.Parse* errors quote with strconv.Quote and its Unicode tables (~5 KB); parse digits by hand"],
  [/^strconv\.appendQuotedWith$/, "strconv.Quote brings its Unicode printability tables (~5 KB); quote ASCII by hand"],
  [/^unicode\.(ToLower|ToUpper|ToTitle|SimpleFold)$/, "Unicode case tables (~5 KB brotli); lower-case ASCII by hand where the input is ASCII"],
  [/^fmt\./, "fmt (100+ KB with reflect)"],
];
const refs = new Map(), sorts = new Set();
for (const l of lines) {
  const m = /^(\S+)(?: <[^>]*>)? -> (\S+)/.exec(l);
  if (!m) continue;
  const [, from, to] = m;
  if (/^slices\.pdqsort(CmpFunc|Ordered)?\[.*\]$/.test(to)) sorts.add(to);
  if (!refs.has(to)) refs.set(to, new Set());
  refs.get(to).add(from);
}
let n = 0;
for (const [re, why] of traps) {
  for (const [sym, from] of refs) {
    if (!re.test(sym)) continue;
    // Walk up through the standard library (strings.ToLower -> unicode.ToLower·f ->
    // unicode.ToLower) to the module code that asked for the symbol.
    const seen = new Set(), outside = [];
    const walk = (s, depth) => {
      for (const f of refs.get(s) ?? []) {
        if (seen.has(f) || f.startsWith("type:")) continue;
        seen.add(f);
        if (f.startsWith("github.com/flooim/")) outside.push(f);
        else if (depth < 6) walk(f, depth + 1);
      }
    };
    walk(sym, 0);
    console.log(`${sym}: ${why}`);
    console.log(`  referenced by ${(outside.length ? outside : [...from]).slice(0, 3).join(", ")}`);
    n++;
  }
}
if (sorts.size > 1) {
  console.log(`${sorts.size} instantiations of the slices sort (~20 KB raw, 1-2 KB brotli each):`);
  for (const s of sorts) console.log(`  ${s}`);
  n++;
}
if (n === 0) console.log("none");
'

if [ "${1:-}" = "--packages" ]; then
  step "biggest contributors by Go package (non-stripped build with the same flags)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  wasm_go build -trimpath "${gcflags[@]}" -o "$tmp/floo.wasm" ./wasm
  node - "$tmp/floo.wasm" <<'JS_PACKAGES'
// Code: every function body, attributed to its Go package through the "name" section. "alone"
// is the brotli size of a package's bodies compressed on their own: an estimate of what the
// package costs in the shipped file (the real figure is lower, as brotli also finds repeats
// across packages). Each function also costs runtime metadata (pclntab, findfunctab) besides
// its body: see the top of this script. Data: the pclntab split from its header (funcnametab, pctab,
// then functab + _func entries, funcdata and the rest of the data segments).
const zlib = require("zlib");
const buf = require("fs").readFileSync(process.argv[2]);
const br = (b) =>
  zlib.brotliCompressSync(b, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length },
  }).length;
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
const skip = () => {
  const n = leb(); // read the length first: "p += leb()" would add it to the old p
  p += n;
};
const skipLimits = () => {
  const flags = buf[p++];
  leb();
  if (flags & 1) leb();
};
let imported = 0;
const bodies = [], names = new Map(), segs = [];
while (p < buf.length) {
  const id = buf[p++], size = leb(), end = p + size;
  if (id === 2) {
    // Imports: imported functions come first in the function index space.
    for (let n = leb(); n > 0; n--) {
      skip();
      skip();
      const kind = buf[p++];
      if (kind === 0) { leb(); imported++; }
      else if (kind === 1) { p++; skipLimits(); }
      else if (kind === 2) skipLimits();
      else p += 2;
    }
  } else if (id === 10) {
    for (let n = leb(); n > 0; n--) {
      const s = leb();
      bodies.push(buf.subarray(p, p + s));
      p += s;
    }
  } else if (id === 11) {
    // Active data segments: flags 0, then "i32.const offset; end".
    for (let n = leb(); n > 0; n--) {
      leb();
      p++;
      const off = leb();
      p++;
      const len = leb();
      segs.push([off, buf.subarray(p, p + len)]);
      p += len;
    }
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
bodies.forEach((body, i) => {
  code += body.length;
  const sym = names.get(i + imported) ?? "?";
  // Symbols look like "github.com_flooim_floo_core.(*Client).Login" or "runtime.mallocgc".
  const host = /^(github\.com|golang\.org|go\.uber\.org)_/.exec(sym);
  const dot = sym.indexOf(".", host ? host[0].length : 0);
  const pkg = (dot > 0 ? sym.slice(0, dot) : sym).replace(/_/g, "/");
  if (!byPkg.has(pkg)) byPkg.set(pkg, []);
  byPkg.get(pkg).push(body);
});
const pad = (s, n) => String(s).padStart(n);
console.log(`code: ${bodies.length} functions, ${code} bytes raw, ${br(Buffer.concat(bodies))} brotli`);
console.log(`${"raw".padStart(10)}${"%".padStart(7)}${"alone br".padStart(10)}${"funcs".padStart(7)}  package`);
[...byPkg]
  .map(([pkg, bs]) => [pkg, bs, bs.reduce((t, b) => t + b.length, 0)])
  .sort((a, b) => b[2] - a[2])
  .slice(0, 25)
  .forEach(([pkg, bs, size]) => {
    const pct = ((100 * size) / code).toFixed(1);
    console.log(`${pad(size, 10)}${pad(pct, 7)}${pad(br(Buffer.concat(bs)), 10)}${pad(bs.length, 7)}  ${pkg}`);
  });
let memEnd = 0;
for (const [off, b] of segs) memEnd = Math.max(memEnd, off + b.length);
const mem = Buffer.alloc(memEnd);
for (const [off, b] of segs) b.copy(mem, off);
const lo = Math.min(...segs.map(([off]) => off));
// The pclntab header: magic 0xfffffff1, two zero bytes, minLC, ptrSize 8, then nfunc, nfiles,
// textStart and the offsets of funcnametab, cutab, filetab, pctab and functab.
const pc = mem.indexOf(Buffer.from([0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8]));
const part = (what, a, b) => console.log(`${pad(b - a, 10)}${pad(br(mem.subarray(a, b)), 10)}  ${what}`);
console.log(`data: ${segs.reduce((t, [, b]) => t + b.length, 0)} bytes raw in ${segs.length} segments`);
console.log(`${"raw".padStart(10)}${"alone br".padStart(10)}`);
if (pc < 0) {
  part("all data (no pclntab header found)", lo, memEnd);
} else {
  const at = (i) => pc + Number(mem.readBigUInt64LE(pc + 8 * i));
  part("types, itabs and string literals (before the pclntab)", lo, pc);
  part("pclntab function names", at(4), at(5));
  part("pclntab file tables", at(5), at(7));
  part("pclntab pc-value tables (line, file, sp, inlining)", at(7), at(8));
  part("functab, _func entries, funcdata, findfunctab and the Go data", at(8), memEnd);
}
JS_PACKAGES
fi
exit $status
