// Argument readers of the manager methods implemented in TypeScript. They check what the
// application passes exactly as the Go bridge checks the arguments of the engine's methods
// (jsbridge/value_js.go): the first bad argument fails the call with an InvalidParam FlooError
// whose message names the method and the argument, e.g.
// "groupManage.asyncKick: user_list must be an array of ids, got string".

import { FlooError } from "../errors.js";

/** An id as it goes out: decimal digits, written as a JSON number (REST.md §2.3). */
export class Id {
  constructor(readonly digits: string) {}
  toString(): string {
    return this.digits;
  }
}

/** Short strings (names, passwords, reasons) and texts (contents, ext, documents), in UTF-8 bytes. */
export const maxShort = 4 << 10;
export const maxText = 1 << 20;
const maxSafe = Number.MAX_SAFE_INTEGER;
/** 2^64-1, the largest id, as decimal text. */
const MAX_UINT64 = "18446744073709551615";

/** The length of s in UTF-8 bytes (computed by hand: WeChat has no TextEncoder before the polyfills). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** typeof, except that null and arrays are named as such. */
export function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function nullish(v: unknown): v is null | undefined {
  return v === undefined || v === null;
}

/** One invocation: the method's name and its arguments. */
export class Args {
  constructor(
    readonly where: string,
    readonly args: readonly unknown[],
  ) {}

  /** Fails the call with InvalidParam. */
  fail(msg: string): never {
    throw FlooError.fromName("InvalidParam", `${this.where}: ${msg}`);
  }

  arg(i: number): unknown {
    return this.args[i];
  }

  /** Field key of the parameter object (the first argument); a missing object reads as empty. */
  f(key: string): unknown {
    const o = this.args[0];
    if (nullish(o)) return undefined;
    if (typeof o !== "object" || Array.isArray(o)) this.fail(`the parameter must be an object, got ${typeName(o)}`);
    return (o as Record<string, unknown>)[key];
  }

  /** v itself, failing with "name is required" when it is missing. */
  need(v: unknown, name: string): unknown {
    if (nullish(v)) this.fail(`${name} is required`);
    return v;
  }

  /** An optional id: missing, 0 and "0" give undefined. */
  idOpt(v: unknown, name: string): Id | undefined {
    if (nullish(v)) return undefined;
    let digits: string;
    if (typeof v === "number") {
      if (!Number.isInteger(v) || v < 0) this.fail(`${name} must be a non-negative integer id`);
      if (v > maxSafe) this.fail(`${name} is beyond 2^53-1 and was rounded: pass it as a decimal string`);
      digits = String(v);
    } else if (typeof v === "string") {
      // Decimal strings are compared as text, not through BigInt: mini-program runtimes may lack
      // BigInt, and a BigInt literal would not even parse there.
      const trimmed = /^[0-9]{1,20}$/.test(v) ? v.replace(/^0+(?=[0-9])/, "") : "";
      if (!trimmed || (trimmed.length === 20 && trimmed > MAX_UINT64)) {
        this.fail(`${name} must be a decimal id, got "${v.length > 32 ? v.slice(0, 32) + "..." : v}"`);
      }
      digits = trimmed;
    } else {
      this.fail(`${name} must be a number or a decimal string, got ${typeName(v)}`);
    }
    return digits === "0" ? undefined : new Id(digits);
  }

  /** A required positive id. */
  id(v: unknown, name: string): Id {
    const id = this.idOpt(v, name);
    if (!id) this.fail(nullish(v) ? `${name} is required` : `${name} must be a positive id`);
    return id;
  }

  /** An array of positive ids; missing reads as none. */
  ids(v: unknown, name: string): Id[] {
    if (nullish(v)) return [];
    if (!Array.isArray(v)) this.fail(`${name} must be an array of ids, got ${typeName(v)}`);
    if (v.length > maxShort) this.fail(`${name} has more than ${maxShort} ids`);
    return v.map((x, i) => this.id(x, `${name}[${i}]`));
  }

  /** An optional string of at most max bytes; missing reads as "". */
  str(v: unknown, name: string, max = maxShort): string {
    if (nullish(v)) return "";
    if (typeof v !== "string") this.fail(`${name} must be a string, got ${typeName(v)}`);
    if (v.length > max / 3 && utf8Length(v) > max) this.fail(`${name} is longer than ${max} bytes`);
    return v;
  }

  text(v: unknown, name: string): string {
    return this.str(v, name, maxText);
  }

  /** JSON given as text or as an object (serialized as the official client does); missing reads as "". */
  jsonText(v: unknown, name: string): string {
    if (typeof v === "object" && v !== null) {
      try {
        v = JSON.stringify(v);
      } catch (err) {
        this.fail(`${name} cannot be serialized: ${(err as Error).message}`);
      }
    }
    return this.text(v, name);
  }

  /** An optional object of request parameters, as JSON text; missing reads as undefined. */
  params(v: unknown, name: string): string | undefined {
    if (nullish(v)) return undefined;
    if (typeof v !== "object" || Array.isArray(v)) this.fail(`${name} must be an object, got ${typeName(v)}`);
    return this.jsonText(v, name);
  }

  flag(v: unknown, name: string, def = false): boolean {
    if (nullish(v)) return def;
    if (typeof v !== "boolean") this.fail(`${name} must be a boolean, got ${typeName(v)}`);
    return v;
  }

  /** An optional integer in [min, max]; missing reads as def. */
  num(v: unknown, name: string, def: number, min: number, max: number): number {
    if (nullish(v)) return def;
    if (typeof v !== "number") this.fail(`${name} must be a number, got ${typeName(v)}`);
    if (!Number.isInteger(v) || v < min || v > max) this.fail(`${name} must be an integer from ${min} to ${max}`);
    return v;
  }

  fn(v: unknown, name: string): ((...a: unknown[]) => unknown) | undefined {
    if (nullish(v)) return undefined;
    if (typeof v !== "function") this.fail(`${name} must be a function, got ${typeName(v)}`);
    return v as (...a: unknown[]) => unknown;
  }

  // Shorthands for fields of the parameter object.
  fid(key: string): Id {
    return this.id(this.f(key), key);
  }
  fids(key: string): Id[] {
    return this.ids(this.f(key), key);
  }
  fstr(key: string): string {
    return this.str(this.f(key), key);
  }
  ftext(key: string): string {
    return this.text(this.f(key), key);
  }
  fflag(key: string): boolean {
    return this.flag(this.f(key), key);
  }
  fnum(key: string, max: number): number {
    return this.num(this.f(key), key, 0, 0, max);
  }

  /** A group id given directly or as {group_id}. */
  gid(): Id {
    let v = this.args[0];
    if (typeof v === "object" && v !== null) v = (v as Record<string, unknown>).group_id;
    return this.id(v, "group_id");
  }

  /** The optional paging fields {cursor, limit, version} of a list call. */
  listOptions(): ListOptions {
    return { cursor: this.fstr("cursor"), limit: this.fnum("limit", 2 ** 31 - 1), version: this.idOpt(this.f("version"), "version") };
  }
}

export interface ListOptions {
  cursor: string;
  limit: number;
  version: Id | undefined;
}

/** A failure found by the engine's own checks (an InvalidParam without the argument's name). */
export function clientError(msg: string): FlooError {
  return FlooError.fromName("InvalidParam", msg);
}
