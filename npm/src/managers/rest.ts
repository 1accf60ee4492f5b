// The REST calls of the TypeScript managers. They go through the engine's one generic entry,
// GoClient.rest, which keeps the ratel host, fail-over, headers, token and error mapping in Go;
// what lives here is the request building of REST.md §2.2 (GET and the POST endpoints marked (q)
// put their parameters in the query string, the others in a JSON body, ids as JSON numbers).

import { FlooError } from "../errors.js";
import type { GoClient } from "../types/bridge.js";
import { Id, type ListOptions } from "./args.js";

/** A query parameter: [key, value]. */
export type Query = Array<[string, string]>;

/** A JSON body: field values are written by JSON.stringify, except Ids (and arrays of them), written as numbers. */
export type Body = Record<string, unknown>;

/** The calls the official clients send without an access token (REST.md §2.5), by exact path. */
const tokenFree = new Set([
  "/app/config", "/app/captcha/image", "/app/captcha/sms", "/app/captcha/sms_web", "/app/user/info_pwd",
  "/app/wechat_login", "/app/user/mobile_bind_with_sign", "/app/qr_code", "/app/qr_login", "/app/secret_info",
  "/user/register/v2", "/user/register/anonymous", "/token/user", "/token/id",
]);

/** Serializes a body: Ids become JSON numbers of any size; undefined fields are left out. */
export function bodyJSON(b: Body): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    parts.push(JSON.stringify(k) + ":" + valueJSON(v));
  }
  return "{" + parts.join(",") + "}";
}

function valueJSON(v: unknown): string {
  if (v instanceof Id) return v.digits;
  if (Array.isArray(v)) return "[" + v.map(valueJSON).join(",") + "]";
  return JSON.stringify(v);
}

/** A REST request for GoClient.rest. */
export interface Request {
  method: "GET" | "POST";
  path: string;
  query?: Query;
  body?: string;
}

/**
 * Performs a manager's REST call. Like the official clients it refuses, before any I/O, a call
 * that needs a token when there is no session: the server would only answer 10003, and the
 * missing login is reported more usefully as UserNotLogin.
 */
export function call(go: GoClient, req: Request): Promise<any> {
  if (!tokenFree.has(req.path) && !go.userManage.getToken()) {
    return Promise.reject(FlooError.fromName("UserNotLogin", `${req.path} needs a logged-in session`));
  }
  return go.rest(req);
}

export const get = (go: GoClient, path: string, query?: Query) => call(go, { method: "GET", path, ...(query ? { query } : {}) });
export const postQuery = (go: GoClient, path: string, query: Query) => call(go, { method: "POST", path, query });
export const post = (go: GoClient, path: string, body: Body) => call(go, { method: "POST", path, body: bodyJSON(body) });

/** The query of a paged list (REST.md §2.4); the cursor always when alwaysCursor. */
export function listQuery(o: ListOptions, alwaysCursor: boolean): Query {
  const q: Query = [];
  if (o.cursor !== "" || alwaysCursor) q.push(["cursor", o.cursor]);
  if (o.limit > 0) q.push(["limit", String(o.limit)]);
  if (o.version) q.push(["version", o.version.digits]);
  return q;
}

/** Reads a REST list of ids: numbers, numeric strings, or objects with a user_id/group_id field. */
export function idList(v: unknown, field: string): Array<number | string> {
  const out: Array<number | string> = [];
  if (!Array.isArray(v)) return out;
  for (let e of v) {
    if (typeof e === "object" && e !== null) e = (e as Record<string, unknown>)[field];
    if (typeof e === "number" && Number.isInteger(e) && e > 0) out.push(e);
    else if (typeof e === "string" && /^[1-9][0-9]*$/.test(e)) out.push(e.length < 16 ? Number(e) : e);
  }
  return out;
}

/** Decimal key of an id value (number or string). */
export const key = (id: Id | number | string): string => String(id);
