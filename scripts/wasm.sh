#!/usr/bin/env bash
# Builds the npm package into npm/dist: floo.wasm (GOOS=js GOARCH=wasm, -trimpath -ldflags="-s -w",
# without inlining, stamped with the package version, its data section rewritten into a few
# segments so that it compresses better) and its brotli floo.wasm.br for WeChat,
# wasm_exec.js copied from the very toolchain that built it (never a committed copy, which would
# go stale) into npm/build/, where tsc writes the JavaScript the bundles are made from, and then
# npm run build: the .d.ts files, the minified bundles and the WeChat miniprogram folder
# (npm/scripts/build.mjs; npm ci first when node_modules is missing).
#
# Inlining is off (-gcflags=all=-l) except in syscall/js. Measured with Go 1.26 on the full module
# (scripts/size.sh): -l saves ~80 KB brotli, a tenth of the wasm, mostly in the pc-value tables
# the runtime keeps for every inlined call (pctab shrinks by half) and in duplicated inlined
# bodies. Its cost, measured with the wasm benchmarks under Node: the codec and jsonv run about
# 2x slower (MessageBody encode 65 -> 200 ns, SyncDL decode 48 -> 89 us, a 200-entry roster
# parse 0.67 -> 1.6 ms, a received message 6 -> 11 us), far below what an IM client notices.
# syscall/js keeps its inlining: without it every Go -> JS call is ~10x slower (58 vs 580 ns),
# and keeping it costs 2 KB at most. Adding "runtime=" to WASM_GCFLAGS brings most of the speed
# back (roster parse 0.82 ms, a received message 7 us; the codec stays ~3x slower) for ~25 KB.
# Binaryen's wasm-opt was measured too and is not used: -O2 saves under 3 KB on the default
# build and makes this one larger (-O2 +3 KB, -Oz +16 KB), as it cannot touch Go's data
# segments (half the module) and its rewriting compresses worse than Go's own code.
#
#   WASM_GCFLAGS="all=-l syscall/js=" (default)   space-separated -gcflags values, later wins
#   scripts/wasm.sh --gcflags                    print the resulting go build flags and exit
source "$(dirname "$0")/lib.sh"
gcflags=()
for f in ${WASM_GCFLAGS:-all=-l syscall/js=}; do gcflags+=("-gcflags=$f"); done
if [ "${1:-}" = "--gcflags" ]; then
  printf '%s\n' "${gcflags[@]}"
  exit 0
fi
VERSION=$(node -p 'require("./npm/package.json").version')
# The scripts that test the package each build it first; a build whose inputs have not changed
# since the last one (npm/build/.inputs) is kept as it is. FLOO_REBUILD=1 builds anyway.
inputs=$(wasm_inputs)
if [ "${FLOO_REBUILD:-}" != 1 ] && [ -f npm/build/.inputs ] && [ -f npm/dist/floo.wasm ] && [ "$(cat npm/build/.inputs)" = "$inputs" ]; then
  echo "npm/dist is up to date (floo-wasm $VERSION)"
  exit 0
fi
rm -rf npm/dist npm/build
mkdir -p npm/dist npm/build
GOOS=js GOARCH=wasm go build -trimpath "${gcflags[@]}" \
  -ldflags="-s -w -X github.com/flooim/floo/jsbridge.version=$VERSION" \
  -o npm/dist/floo.wasm ./wasm
# The data section, rewritten with its short zero runs written out (see the comment inside).
node - npm/dist/floo.wasm <<'WASM_DATA'
// Go's wasm linker writes the initial memory as one data segment per run of non-zero bytes,
// splitting wherever 8 or more zero bytes follow each other, which keeps the raw module small.
// Compressed, it is the other way round: the runtime's findfunctab holds a 20-byte bucket for
// every 4 KB of PC space, and in wasm every function spans 64 KB of PC space (function index
// << 16), so 16 buckets per function, each a 2-byte function index among zeros: ~56,000
// segments of 2 bytes, each behind a header whose offset changes every time, which brotli
// cannot predict. Measured on this module (Go 1.26): writing out every zero run shorter than
// 4 KB leaves 5 segments instead of ~59,000 and saves ~65 KB brotli (~680 -> ~615 KB) and
// ~100 KB gzip, for ~600 KB more raw. The memory the module starts with is byte for byte the
// same (checked below): only zeros are added, where the memory is zero anyway.
const fs = require("fs");
const file = process.argv[2];
const GAP = 4096;
const buf = fs.readFileSync(file);
let p = 8;
const uleb = () => {
  let r = 0, s = 0, b;
  do {
    b = buf[p++];
    r += (b & 0x7f) * 2 ** s;
    s += 7;
  } while (b & 0x80);
  return r;
};
const sleb32 = () => {
  let r = 0, s = 0, b;
  do {
    b = buf[p++];
    r |= (b & 0x7f) << s;
    s += 7;
  } while (b & 0x80);
  if (s < 32 && b & 0x40) r |= ~0 << s;
  return r >>> 0;
};
const putU = (n) => {
  const o = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    o.push(b);
  } while (n);
  return Buffer.from(o);
};
const putS32 = (n) => {
  const o = [];
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      o.push(b);
      return Buffer.from(o);
    }
    o.push(b | 0x80);
  }
};
const fail = (msg) => {
  console.error(`wasm.sh: ${file}: ${msg}`);
  process.exit(1);
};
// The memory image a list of [offset, bytes] segments sets up.
const image = (segs) => {
  const end = segs.reduce((m, [o, b]) => Math.max(m, o + b.length), 0);
  const mem = Buffer.alloc(end);
  for (const [o, b] of segs) b.copy(mem, o);
  return mem;
};
const out = [buf.subarray(0, 8)];
let before = 0, after = 0;
while (p < buf.length) {
  const start = p, id = buf[p++], size = uleb(), end = p + size;
  if (id === 12) fail("has a data count section, which Go does not write: update this step");
  if (id !== 11) {
    out.push(buf.subarray(start, end));
    p = end;
    continue;
  }
  // Active segments of memory 0 at a constant offset: flags 0, i32.const, end; as Go writes them.
  const segs = [];
  for (let n = uleb(); n > 0; n--) {
    if (uleb() !== 0 || buf[p++] !== 0x41) fail("a data segment is not active at a constant offset");
    const off = sleb32();
    if (buf[p++] !== 0x0b) fail("a data segment's offset is not a single i32.const");
    const len = uleb();
    segs.push([off, buf.subarray(p, p + len)]);
    p += len;
  }
  if (p !== end) fail("the data section does not end where its size says");
  segs.sort((a, b) => a[0] - b[0]);
  const merged = [];
  for (const [off, bytes] of segs) {
    const last = merged[merged.length - 1];
    if (last && off >= last.end && off - last.end < GAP) {
      last.parts.push([off, bytes]);
      last.end = off + bytes.length;
    } else {
      merged.push({ off, end: off + bytes.length, parts: [[off, bytes]] });
    }
  }
  const body = [putU(merged.length)];
  const outSegs = [];
  for (const m of merged) {
    const data = Buffer.alloc(m.end - m.off);
    for (const [off, bytes] of m.parts) bytes.copy(data, off - m.off);
    outSegs.push([m.off, data]);
    body.push(Buffer.from([0, 0x41]), putS32(m.off), Buffer.from([0x0b]), putU(data.length), data);
  }
  if (!image(segs).equals(image(outSegs))) fail("the rewritten data section sets up a different memory");
  const section = Buffer.concat(body);
  out.push(Buffer.from([11]), putU(section.length), section);
  before = segs.length;
  after = merged.length;
  p = end;
}
const result = Buffer.concat(out);
if (!WebAssembly.validate(result)) fail("the rewritten module does not validate");
fs.writeFileSync(file, result);
console.error(`floo.wasm: ${before} data segments -> ${after}, ${buf.length} -> ${result.length} bytes raw`);
WASM_DATA
# Next to tsc's loader.js, which imports it: the bundler makes it a chunk of its own.
cp "$GOROOT_WASM/wasm_exec.js" npm/build/wasm_exec.js
# floo.wasm.br: the brotli form WeChat's WXWebAssembly.instantiate loads (base library 2.14+), at
# quality 11 and the largest window, since it counts against a mini-program's 2 MB package limit.
# It is written into npm/build, and the npm build copies it into dist/miniprogram, the package's
# only copy (docs/wechat.md); the web gets it through floo-wasm/floo.wasm.br (npm/README.md).
node -e '
  const zlib = require("zlib"), fs = require("fs");
  const raw = fs.readFileSync("npm/dist/floo.wasm");
  const { BROTLI_PARAM_QUALITY, BROTLI_PARAM_LGWIN, BROTLI_PARAM_SIZE_HINT } = zlib.constants;
  const params = { [BROTLI_PARAM_QUALITY]: 11, [BROTLI_PARAM_LGWIN]: 24, [BROTLI_PARAM_SIZE_HINT]: raw.length };
  fs.writeFileSync("npm/build/floo.wasm.br", zlib.brotliCompressSync(raw, { params }));
'
(
  cd npm
  if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi
  npm run --silent build
)
echo "$inputs" >npm/build/.inputs
echo "built npm/dist (floo-wasm $VERSION, $(go version | cut -d' ' -f3))"
