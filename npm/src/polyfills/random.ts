// crypto.getRandomValues for hosts without it (WeChat mini-programs). wasm_exec.js calls it
// synchronously (the Go runtime seeds its hash maps and math/rand with it at start), but WeChat's
// only secure source, wx.getRandomValues (base library 2.15.0), answers through a callback. So
// the polyfill is a ChaCha20 generator with fast key erasure (the construction of OpenBSD's
// arc4random and Go's runtime): it answers synchronously from a 256-bit key, and the key is
// replaced by one mixed with wx.getRandomValues output as soon as that arrives. The wechat entry
// waits for that before it starts the Go runtime. Where the platform has no secure source at all,
// the key comes from Math.random and the clock, which is NOT cryptographically secure; the SDK
// itself needs no secrecy from it (reconnect jitter, map seeds), but the polyfill says so once.

/** The ChaCha20 constants "expand 32-byte k". */
const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/**
 * The ChaCha20 block function (RFC 8439 §2.3): 20 rounds over the key (8 words), a 32-bit block
 * counter and a nonce (3 words), written as 64 bytes into out at offset.
 */
export function chacha20Block(key: Uint32Array, counter: number, nonce: Uint32Array, out: Uint8Array, offset = 0): void {
  const s = new Uint32Array(16);
  s[0] = SIGMA[0]!;
  s[1] = SIGMA[1]!;
  s[2] = SIGMA[2]!;
  s[3] = SIGMA[3]!;
  s.set(key, 4);
  s[12] = counter >>> 0;
  s[13] = nonce[0]!;
  s[14] = nonce[1]!;
  s[15] = nonce[2]!;
  const x = new Uint32Array(s);
  const qr = (a: number, b: number, c: number, d: number): void => {
    x[a] = (x[a]! + x[b]!) | 0;
    x[d] = rotl(x[d]! ^ x[a]!, 16);
    x[c] = (x[c]! + x[d]!) | 0;
    x[b] = rotl(x[b]! ^ x[c]!, 12);
    x[a] = (x[a]! + x[b]!) | 0;
    x[d] = rotl(x[d]! ^ x[a]!, 8);
    x[c] = (x[c]! + x[d]!) | 0;
    x[b] = rotl(x[b]! ^ x[c]!, 7);
  };
  for (let i = 0; i < 10; i++) {
    qr(0, 4, 8, 12);
    qr(1, 5, 9, 13);
    qr(2, 6, 10, 14);
    qr(3, 7, 11, 15);
    qr(0, 5, 10, 15);
    qr(1, 6, 11, 12);
    qr(2, 7, 8, 13);
    qr(3, 4, 9, 14);
  }
  for (let i = 0; i < 16; i++) {
    const v = (x[i]! + s[i]!) >>> 0;
    const o = offset + i * 4;
    out[o] = v & 0xff;
    out[o + 1] = (v >>> 8) & 0xff;
    out[o + 2] = (v >>> 16) & 0xff;
    out[o + 3] = v >>> 24;
  }
}

/** Little-endian words of 32 bytes. */
function words(b: Uint8Array): Uint32Array {
  const w = new Uint32Array(8);
  for (let i = 0; i < 8; i++) w[i] = (b[i * 4]! | (b[i * 4 + 1]! << 8) | (b[i * 4 + 2]! << 16) | (b[i * 4 + 3]! << 24)) >>> 0;
  return w;
}

/** Where the generator's key came from, weakest first. */
export type RandomSource = "Math.random" | "wx.getRandomValues";

/**
 * A ChaCha20 generator with fast key erasure: each call draws keystream blocks from the current
 * key, takes the first 32 bytes as the next key and returns the rest, so earlier output cannot be
 * recomputed from a later state.
 */
export class ChaChaRandom {
  private key: Uint32Array;
  private readonly nonce = new Uint32Array(3);
  /** The strongest entropy mixed in so far. */
  source: RandomSource = "Math.random";

  constructor(seed?: Uint8Array) {
    this.key = words(seed && seed.length >= 32 ? seed.subarray(0, 32) : weakSeed());
  }

  /** Mixes entropy into the key: XOR, then one generator step, so the old key is gone. */
  mix(entropy: Uint8Array, source?: RandomSource): void {
    const k = new Uint8Array(32);
    for (let i = 0; i < entropy.length; i++) k[i % 32] ^= entropy[i]!;
    const w = words(k);
    for (let i = 0; i < 8; i++) this.key[i] = (this.key[i]! ^ w[i]!) >>> 0;
    this.fill(new Uint8Array(0));
    if (source) this.source = source;
  }

  /** Fills out with random bytes. */
  fill(out: Uint8Array): void {
    const blocks = Math.ceil((out.length + 32) / 64);
    const stream = new Uint8Array(blocks * 64);
    for (let b = 0; b < blocks; b++) chacha20Block(this.key, b, this.nonce, stream, b * 64);
    this.key = words(stream.subarray(0, 32));
    out.set(stream.subarray(32, 32 + out.length));
    stream.fill(0);
  }
}

/** 32 bytes from Math.random and the clock: unpredictable enough for jitter, not for secrets. */
function weakSeed(): Uint8Array {
  const b = new Uint8Array(32);
  const t = Date.now();
  for (let i = 0; i < 32; i++) b[i] = (Math.random() * 256) ^ ((t / 2 ** (8 * (i % 6))) & 0xff);
  return b;
}

/** The integer typed arrays getRandomValues accepts (WebCrypto). */
const integerArrays = new Set([
  "[object Int8Array]",
  "[object Uint8Array]",
  "[object Uint8ClampedArray]",
  "[object Int16Array]",
  "[object Uint16Array]",
  "[object Int32Array]",
  "[object Uint32Array]",
  "[object BigInt64Array]",
  "[object BigUint64Array]",
]);

/** Creates a WebCrypto-shaped getRandomValues over gen: integer typed arrays, at most 65536 bytes. */
export function makeGetRandomValues(gen: ChaChaRandom): <T extends ArrayBufferView | null>(array: T) => T {
  return function getRandomValues<T extends ArrayBufferView | null>(array: T): T {
    if (!ArrayBuffer.isView(array) || !integerArrays.has(Object.prototype.toString.call(array))) {
      const e = new TypeError("getRandomValues: the argument must be an integer typed array");
      e.name = "TypeMismatchError";
      throw e;
    }
    if (array.byteLength > 65536) {
      const e = new Error(`getRandomValues: ${array.byteLength} bytes requested, at most 65536 allowed`);
      e.name = "QuotaExceededError";
      throw e;
    }
    gen.fill(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return array;
  };
}

/** The part of wx this file uses. */
export interface WxRandomSource {
  getRandomValues?(options: {
    length: number;
    success?(res: { randomValues: ArrayBuffer }): void;
    fail?(err: { errMsg?: string }): void;
  }): void;
}

/**
 * Mixes 64 bytes of wx.getRandomValues into gen. Resolves with true once they are in, false when
 * the platform has no such API or it failed (gen then keeps its weak seed).
 */
export function seedFromWx(gen: ChaChaRandom, wx: WxRandomSource | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (!wx || typeof wx.getRandomValues !== "function") {
      resolve(false);
      return;
    }
    try {
      wx.getRandomValues({
        length: 64,
        success: (res) => {
          const v = res?.randomValues;
          if (v && typeof v.byteLength === "number" && v.byteLength >= 32) {
            gen.mix(new Uint8Array(v), "wx.getRandomValues");
            resolve(true);
          } else {
            resolve(false);
          }
        },
        fail: () => resolve(false),
      });
    } catch {
      resolve(false);
    }
  });
}
