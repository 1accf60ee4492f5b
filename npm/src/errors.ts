import { ErrorCode, ErrorCodeNames, type ErrorCodeName } from "./codes.js";

export { ErrorCode, ErrorCodeNames, ErrorCodeClass } from "./codes.js";
export type { ErrorCodeName, ErrorCodeNumber, ErrorClass } from "./codes.js";

/** Which layer an error comes from (ERRORS.md §1). */
export type FlooErrorSource = "xsync" | "rest" | "dns" | "transport" | "client";

/** The fields of a {@link FlooError} besides its message, as its constructor takes them. */
export interface FlooErrorFields {
  /** The server's business code for REST rejections, the SDK code number otherwise. Defaults to `sdkCode`. */
  code?: number;
  /** The SDK code number (ERRORS.md §7). Defaults to `code`, then to `GeneralError`. */
  sdkCode?: number;
  /** The SDK code name. Defaults to the name of `sdkCode`. */
  sdkName?: string;
  source?: FlooErrorSource;
  /** The raw XSYNC status or REST business code, 0 if none. */
  serverCode?: number;
  /** REST rejections only: the request URL. */
  url?: string;
  /** True when retrying later may succeed. */
  temporary?: boolean;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The error of every rejection and every reported error of the SDK (ERRORS.md §1, JSAPI.md §9).
 * It is a real `Error` (with a stack, and `instanceof` works), never a string or a plain object.
 *
 * `code` is what the official clients reject with: the server's business code for REST calls and
 * the SDK code number otherwise. `sdkCode` and `sdkName` always identify the SDK code, whose
 * **name** is the stable contract; compare with `err.sdkName === "InvalidToken"` or
 * `err.sdkCode === ErrorCode.InvalidToken`.
 */
export class FlooError extends Error {
  // The shipped bundles are minified, which renames classes: the class keeps its own name for
  // what reads it (Node's util.inspect prints "FlooError [...]", consoles, err.constructor.name).
  static {
    Object.defineProperty(this, "name", { value: "FlooError" });
  }

  override readonly name = "FlooError";
  /** The server's business code for REST rejections, the SDK code number otherwise. */
  readonly code: number;
  /** The SDK code number (ERRORS.md §7). */
  readonly sdkCode: number;
  /** The SDK code name, e.g. `"UserAlreadyExist"`. */
  readonly sdkName: ErrorCodeName | string;
  readonly source: FlooErrorSource;
  /** The raw XSYNC status or REST business code, 0 if none. */
  readonly serverCode: number;
  /** REST rejections only: the request URL. */
  declare readonly url?: string;
  /** True when retrying later may succeed (the retryable class of ERRORS.md §6.1). */
  readonly temporary: boolean;

  /**
   * Creates an error. The Go side of the SDK calls this constructor for every error it reports,
   * so its signature is part of the bridge.
   */
  constructor(message: string, fields: FlooErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    const sdkCode = fields.sdkCode ?? fields.code ?? ErrorCode.GeneralError;
    this.sdkCode = sdkCode;
    this.code = fields.code ?? sdkCode;
    this.sdkName = fields.sdkName ?? ErrorCodeNames[sdkCode] ?? "GeneralError";
    this.source = fields.source ?? "client";
    this.serverCode = fields.serverCode ?? 0;
    if (fields.url !== undefined) this.url = fields.url;
    this.temporary = fields.temporary ?? false;
  }

  /**
   * Creates an SDK error from the client layer by code name, e.g.
   * `FlooError.fromName("InvalidParam", "uid is required")`.
   */
  static fromName(name: ErrorCodeName, message: string, fields: Omit<FlooErrorFields, "code" | "sdkCode" | "sdkName"> = {}): FlooError {
    const code = ErrorCode[name];
    return new FlooError(message, { ...fields, code, sdkCode: code, sdkName: name });
  }
}

/** @internal The rejection of methods the facade does not implement yet. */
export function notImplemented(method: string): FlooError {
  return FlooError.fromName("GeneralError", `not implemented yet: ${method}`);
}

/** @internal The rejection of calls made after close(). */
export function closedError(): FlooError {
  return FlooError.fromName("UserNotLogin", "the client is closed");
}
