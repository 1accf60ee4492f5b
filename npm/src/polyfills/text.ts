// UTF-8 TextEncoder and TextDecoder for hosts without them (WeChat mini-programs). wasm_exec.js
// needs both: every string that crosses between Go and JavaScript goes through them, so the common
// case (short, mostly ASCII strings) takes a fast path. Written to the WHATWG Encoding Standard:
// lone surrogates encode as U+FFFD, and invalid input decodes with one U+FFFD per maximal subpart
// (the replacement behaviour browsers share), or throws a TypeError when `fatal` is set.

/** Output is flushed to a string in chunks of this many UTF-16 units (apply() argument limits). */
const CHUNK = 8192;

/** A UTF-16 code unit sink that builds a string in chunks. */
class UnitSink {
  private units: number[] = [];
  private out = "";

  push(u: number): void {
    this.units.push(u);
    if (this.units.length >= CHUNK) this.flush();
  }

  pushCodePoint(cp: number): void {
    if (cp <= 0xffff) {
      this.push(cp);
    } else {
      cp -= 0x10000;
      this.push(0xd800 + (cp >> 10));
      this.push(0xdc00 + (cp & 0x3ff));
    }
  }

  flush(): void {
    if (this.units.length > 0) {
      this.out += String.fromCharCode.apply(null, this.units);
      this.units = [];
    }
  }

  take(): string {
    this.flush();
    const s = this.out;
    this.out = "";
    return s;
  }
}

/** Views any BufferSource (from any realm) as bytes. */
function asBytes(input: unknown): Uint8Array {
  if (input === undefined || input === null) return new Uint8Array(0);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const tag = Object.prototype.toString.call(input);
  if (tag === "[object ArrayBuffer]" || tag === "[object SharedArrayBuffer]") return new Uint8Array(input as ArrayBuffer);
  throw new TypeError("TextDecoder.decode: the input must be an ArrayBuffer or an ArrayBufferView");
}

/** The number of UTF-8 bytes of s, lone surrogates counting as U+FFFD (3 bytes). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Encodes as much of s as fits into dest; returns the UTF-16 units read and the bytes written.
 * A character is never split across the end of dest.
 */
function encodeInto(s: string, dest: Uint8Array): { read: number; written: number } {
  let i = 0;
  let j = 0;
  const n = s.length;
  const cap = dest.length;
  while (i < n) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      if (j >= cap) break;
      dest[j++] = c;
      i++;
      continue;
    }
    let units = 1;
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && (next & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        units = 2;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x800) {
      if (j + 2 > cap) break;
      dest[j++] = 0xc0 | (c >> 6);
      dest[j++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      if (j + 3 > cap) break;
      dest[j++] = 0xe0 | (c >> 12);
      dest[j++] = 0x80 | ((c >> 6) & 0x3f);
      dest[j++] = 0x80 | (c & 0x3f);
    } else {
      if (j + 4 > cap) break;
      dest[j++] = 0xf0 | (c >> 18);
      dest[j++] = 0x80 | ((c >> 12) & 0x3f);
      dest[j++] = 0x80 | ((c >> 6) & 0x3f);
      dest[j++] = 0x80 | (c & 0x3f);
    }
    i += units;
  }
  return { read: i, written: j };
}

/** A UTF-8 TextEncoder. */
export class Utf8TextEncoder {
  /** Always "utf-8", as in the standard. */
  get encoding(): "utf-8" {
    return "utf-8";
  }

  /** Encodes input (converted with String(), "" when absent) as UTF-8. */
  encode(input: string = ""): Uint8Array {
    const s = String(input);
    const out = new Uint8Array(utf8Length(s));
    encodeInto(s, out);
    return out;
  }

  /** Encodes as much of source as fits into destination. */
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number } {
    return encodeInto(String(source), destination);
  }
}

/** Options of {@link Utf8TextDecoder}. */
export interface Utf8TextDecoderOptions {
  fatal?: boolean;
  ignoreBOM?: boolean;
}

const labels = new Set(["utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"]);

/**
 * A UTF-8 TextDecoder, streaming included (`decode(chunk, {stream: true})` keeps a sequence split
 * across chunks for the next call). Other encodings throw a RangeError, as browsers do for labels
 * they do not know.
 */
export class Utf8TextDecoder {
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;

  // Decoder state (WHATWG "UTF-8 decoder"), kept across streaming calls.
  private needed = 0;
  private seen = 0;
  private cp = 0;
  private lower = 0x80;
  private upper = 0xbf;
  /** Whether the BOM check at the start of the stream is still to be done. */
  private atStart = true;

  constructor(label: string = "utf-8", options: Utf8TextDecoderOptions = {}) {
    const l = String(label).trim().toLowerCase();
    if (!labels.has(l)) throw new RangeError(`TextDecoder: the encoding "${label}" is not supported (only UTF-8 is)`);
    this.fatal = Boolean(options.fatal);
    this.ignoreBOM = Boolean(options.ignoreBOM);
  }

  get encoding(): "utf-8" {
    return "utf-8";
  }

  /** Decodes input; with `{stream: true}` an incomplete trailing sequence waits for the next call. */
  decode(input?: ArrayBuffer | ArrayBufferView | null, options: { stream?: boolean } = {}): string {
    const bytes = asBytes(input);
    const stream = Boolean(options.stream);
    const sink = new UnitSink();
    let i = 0;
    const n = bytes.length;
    try {
      while (i < n) {
        const b = bytes[i]!;
        if (this.needed === 0) {
          if (b < 0x80) {
            // ASCII run: the common case for everything Go sends.
            let j = i;
            while (j < n && bytes[j]! < 0x80) sink.push(bytes[j++]!);
            i = j;
            this.atStart = false;
            continue;
          }
          i++;
          if (b >= 0xc2 && b <= 0xdf) {
            this.needed = 1;
            this.cp = b & 0x1f;
          } else if (b >= 0xe0 && b <= 0xef) {
            if (b === 0xe0) this.lower = 0xa0;
            if (b === 0xed) this.upper = 0x9f;
            this.needed = 2;
            this.cp = b & 0x0f;
          } else if (b >= 0xf0 && b <= 0xf4) {
            if (b === 0xf0) this.lower = 0x90;
            if (b === 0xf4) this.upper = 0x8f;
            this.needed = 3;
            this.cp = b & 0x07;
          } else {
            this.error(sink);
          }
          continue;
        }
        if (b < this.lower || b > this.upper) {
          // The sequence is cut short: replace what was seen, then read this byte afresh.
          this.reset();
          this.error(sink);
          continue;
        }
        i++;
        this.lower = 0x80;
        this.upper = 0xbf;
        this.cp = (this.cp << 6) | (b & 0x3f);
        this.seen++;
        if (this.seen === this.needed) {
          const cp = this.cp;
          this.reset();
          if (cp === 0xfeff && this.atStart && !this.ignoreBOM) {
            this.atStart = false;
          } else {
            this.atStart = false;
            sink.pushCodePoint(cp);
          }
        }
      }
      if (!stream) {
        if (this.needed !== 0) {
          this.reset();
          this.error(sink);
        }
        this.atStart = true;
      }
    } catch (e) {
      // A fatal error leaves the decoder ready for a new stream.
      this.reset();
      this.atStart = true;
      throw e;
    }
    return sink.take();
  }

  private reset(): void {
    this.needed = 0;
    this.seen = 0;
    this.cp = 0;
    this.lower = 0x80;
    this.upper = 0xbf;
  }

  private error(sink: UnitSink): void {
    if (this.fatal) throw new TypeError("TextDecoder: the input is not valid UTF-8");
    this.atStart = false;
    sink.push(0xfffd);
  }
}
