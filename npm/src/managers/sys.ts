// The REST parts of sysManage (JSAPI.md §7, REST.md §9): the upload slots and the file URL
// helpers, and the enum tables of getStaticVars. Moving them here keeps core's SysManager out of
// the wasm; what needs the engine's transport (link parsing) or its message cache stays in Go.

import { FlooError } from "../errors.js";
import type { GoClient } from "../types/bridge.js";
import { staticVars } from "../staticvars.js";
import type { HttpTransport, StaticVars } from "../types.js";
import { Args, clientError, typeName } from "./args.js";
import * as rest from "./rest.js";
import type { Query } from "./rest.js";
import type { Impl } from "./session.js";

/**
 * Percent-encodes a query key or value exactly as the engine does (core/rest.go escapeQuery):
 * everything but letters, digits and "-_.~", so that URLs built here and in Go compare equal.
 */
function escape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Appends query parameters to url, after "?" or "&". */
export function appendQuery(url: string, q: Query): string {
  if (q.length === 0) return url;
  return url + (url.includes("?") ? "&" : "?") + q.map(([k, v]) => escape(k) + "=" + escape(v)).join("&");
}

/**
 * Appends access-token and app_id, which file URLs carry because <img> and <audio> cannot send
 * headers (REST.md §2.1); a URL that has them already keeps its own.
 */
function withCredentials(go: GoClient, url: string): string {
  const q: Query = [];
  const tok = go.userManage.getToken();
  if (typeof tok === "string" && tok !== "" && !url.includes("access-token=")) q.push(["access-token", tok]);
  if (!url.includes("app_id=")) q.push(["app_id", String(go.userManage.getAppid() ?? "")]);
  return appendQuery(url, q);
}

/** The official clients tell a URL from an object name by its "http" prefix (REST.md §9.3). */
const isHTTP = (s: string) => s.startsWith("http");

/** A conversation type, "roster" or "group"; missing reads as "". */
function convType(a: Args, v: unknown): string {
  const t = a.str(v, "type");
  if (t !== "" && t !== "roster" && t !== "group") a.fail('type must be "roster" or "group"');
  return t;
}

/** An optional object of query parameters, its values converted with String(), in key order. */
function queryObject(a: Args, v: unknown, name: string): Query {
  if (v === undefined || v === null) return [];
  if (typeof v !== "object") a.fail(`${name} must be an object, got ${typeName(v)}`);
  return Object.keys(v).map((k) => [k, String((v as Record<string, unknown>)[k])]);
}

/** getImage({avatar, type?, thumbnail = true, sdefault?}): a displayable avatar URL. */
function getImage(a: Args, go: GoClient): string {
  const avatar = a.ftext("avatar");
  convType(a, a.f("type")); // roster or group picks the official built-in default, which the facade does not ship
  const thumbnail = a.flag(a.f("thumbnail"), "thumbnail", true);
  const def = a.ftext("sdefault");
  if (avatar === "") return def;
  let url = avatar;
  const q: Query = [];
  if (!isHTTP(avatar)) {
    url = go.servers().ratel + "/file/download/avatar";
    q.push(["object_name", avatar]);
    if (thumbnail) q.push(["image_type", "2"]);
  } else if (thumbnail && avatar.includes("/file/download/avatar") && !avatar.includes("image_type=")) {
    q.push(["image_type", "2"]);
  }
  return withCredentials(go, appendQuery(url, q));
}

/** getAudio({url}): a playable URL, format=mp3 plus the credentials. */
function getAudio(a: Args, go: GoClient): string {
  let url = a.ftext("url");
  if (url === "") return "";
  if (!url.includes("format=")) url = appendQuery(url, [["format", "mp3"]]);
  return withCredentials(go, url);
}

/** getChatFile({url, params?}): params (image_type, w, h...), then the credentials. */
function getChatFile(a: Args, go: GoClient): string {
  const url = a.ftext("url");
  const params = queryObject(a, a.f("params"), "params");
  return url === "" ? "" : withCredentials(go, appendQuery(url, params));
}

/**
 * getStaticVars(): the enum tables of xsync.proto (JSAPI.md §13.1), from the table generated from
 * the Go enums (staticvars.ts), so it needs no engine: it answers before ready and after close
 * too. Each call returns a fresh copy, so a caller that changes the result changes no later
 * answer. It takes no arguments; any given are ignored, as by the other methods without parameters.
 */
export function getStaticVars(): StaticVars {
  const out: Record<string, Record<string, number>> = {};
  for (const [name, table] of Object.entries(staticVars)) out[name] = { ...table };
  return out as StaticVars;
}

/** The synchronous URL helpers of sysManage. */
export const sysReads: Record<string, Impl> = { getImage, getAudio, getChatFile };

/**
 * Performs an upload-slot request (REST.md §9.1) and returns the slot as the server sent it; a
 * slot without upload_url is ServerInvalidUploadUrl (ERRORS.md §4.3).
 */
async function slot(go: GoClient, path: string, q: Query): Promise<unknown> {
  const data = await rest.get(go, path, q);
  const url = typeof data === "object" && data !== null ? (data as Record<string, unknown>).upload_url : undefined;
  if (typeof url !== "string" || url === "") {
    throw FlooError.fromName("ServerInvalidUploadUrl", "upload slot without upload_url", { source: "transport", url: go.servers().ratel + path });
  }
  return data;
}

/** The upload-slot methods of sysManage. */
export const sysMethods: Record<string, Impl> = {
  asyncGetUserAvatarUploadUrl: (_a, go) => slot(go, "/file/upload/avatar/user", []),
  asyncGetGroupAvatarUploadUrl: (a, go) => {
    const q: Query = [["group_id", a.gid().digits]];
    const tok = go.userManage.getToken(); // sent in the query too, as the official clients do
    if (typeof tok === "string" && tok !== "") q.push(["access-token", tok]);
    return slot(go, "/file/upload/avatar/group", q);
  },
  asyncGetFileUploadChatFileUrl: (a, go) => {
    const fileType = a.fnum("file_type", 1000);
    const toType = a.fnum("to_type", 2);
    const to = a.fid("to_id");
    if ((fileType < 100 || fileType > 104) && (fileType < 200 || fileType > 203)) throw clientError("file type must be 100-104 or 200-203");
    if (toType < 1) throw clientError("to type must be between 1 and 2");
    return slot(go, "/file/upload/chat", [["file_type", String(fileType)], ["to_id", to.digits], ["to_type", String(toType)]]);
  },
};

/** The file_type of the chat upload slot by official fileType name (REST.md §9.1). */
const fileTypes: Record<string, number> = {
  file: 100, audio: 101, image: 102, video: 103, "audio-mp3": 104,
  shareFile: 200, shareAudio: 201, shareImage: 202, shareVideo: 203,
};

/** The upload slot request of an asyncFileUpload target, checked as the engine checked it (core/upload.go). */
function uploadSlot(go: GoClient, toType: string, fileType: string, to: string, group: string, chatType: string): Promise<unknown> {
  if (toType === "rosterAvatar") return sysMethods.asyncGetUserAvatarUploadUrl!(new Args("", []), go) as Promise<unknown>;
  if (toType === "groupAvatar") {
    if (group === "") throw clientError("group avatar upload needs GroupID");
    return sysMethods.asyncGetGroupAvatarUploadUrl!(new Args("", [group]), go) as Promise<unknown>;
  }
  if (toType !== "chat") throw FlooError.fromName("InvalidFileUploadToType", `upload target must be chat, rosterAvatar or groupAvatar, not ${JSON.stringify(toType)}`);
  const ft = Object.prototype.hasOwnProperty.call(fileTypes, fileType) ? fileTypes[fileType] : undefined;
  if (ft === undefined) throw clientError(`unknown file type ${JSON.stringify(fileType)}`);
  const chat = chatType || (ft >= 200 ? "group" : "roster");
  if (chat !== "roster" && chat !== "group") throw clientError("chat type must be roster or group");
  const target = to || (chat === "group" ? group : "");
  if (target === "") throw clientError("chat upload needs ToID");
  return slot(go, "/file/upload/chat", [["file_type", String(ft)], ["to_id", target], ["to_type", chat === "group" ? "2" : "1"]]);
}

/** The official web client's success rule: the body is {"data": true} or {"Status": "OK"}, whatever the envelope code. */
function accepted(body: Uint8Array): boolean {
  try {
    const v = JSON.parse(new TextDecoder().decode(body));
    return typeof v === "object" && v !== null && (v.data === true || v.Status === "OK");
  } catch {
    return false;
  }
}

/** A failed transport call as the engine reports it: ServerTimeOut or ServerConnectFailed, with the URL. */
function transportError(err: unknown, url: string): FlooError {
  if (err instanceof FlooError) return err;
  const e = err as { name?: unknown; message?: unknown } | undefined;
  const msg = typeof e?.message === "string" ? e.message : String(err);
  return FlooError.fromName(e?.name === "TimeoutError" ? "ServerTimeOut" : "ServerConnectFailed", msg, { source: "transport", url });
}

/**
 * asyncFileUpload({file, fileType, toType, to_id?, group_id?, chatType?, processCallback?}): gets
 * an upload slot for the target, then hands file unchanged (a Blob or File, a Uint8Array, or a
 * WeChat temporary file path) to the platform transport's upload as a multipart POST whose file
 * field is "file", after the slot's oss_body_param fields when they include a key. It resolves
 * with {url}, the download URL. Progress reports are serialized: they never go backwards, loaded
 * is capped at the total, and an upload of known size ends with (total, total).
 */
export function fileUpload(http: () => HttpTransport | undefined): Impl {
  return async (a, go) => {
    const file = a.f("file");
    let size = 0;
    let fileName = "";
    let contentType = "";
    if (typeof file === "object" && file !== null && !Array.isArray(file)) {
      const f = file as Record<string, unknown>;
      if (typeof f.size === "number") size = f.size;
      else if (typeof f.byteLength === "number") size = f.byteLength;
      if (typeof f.name === "string") fileName = f.name;
      if (typeof f.type === "string") contentType = f.type;
    } else if (typeof file !== "string") {
      a.fail(`file must be a File, a Blob, a Uint8Array or a file path, got ${typeName(file)}`);
    }
    const fileType = a.fstr("fileType");
    const toType = a.fstr("toType");
    const to = a.idOpt(a.f("to_id"), "to_id")?.digits ?? "";
    const group = a.idOpt(a.f("group_id"), "group_id")?.digits ?? "";
    const chatType = a.fstr("chatType");
    const cb = a.fn(a.f("processCallback"), "processCallback");
    const sl = (await uploadSlot(go, toType, fileType, to, group, chatType)) as Record<string, unknown>;
    const url = sl.upload_url as string;
    const headers: Record<string, string> = { app_id: String(go.userManage.getAppid() ?? "") };
    const tok = go.userManage.getToken();
    if (typeof tok === "string" && tok !== "") headers["access-token"] = tok;
    const fields: Array<[string, string]> = [];
    const oss = sl.oss_body_param;
    if (typeof oss === "object" && oss !== null && "key" in oss) {
      for (const [k, v] of Object.entries(oss)) {
        if (typeof v === "string") fields.push([k, v]);
        else if (typeof v === "number" || typeof v === "boolean") fields.push([k, String(v)]);
      }
    }
    let total = size;
    let last = 0;
    let any = false;
    const report = (loaded: number, t?: number) => {
      if (!cb || typeof loaded !== "number") return;
      if (typeof t === "number" && t > 0) total = t;
      if (total > 0 && loaded > total) loaded = total;
      if (loaded < last || (any && loaded === last)) return;
      last = loaded;
      any = true;
      try {
        cb({ loaded, total });
      } catch {
        // An application's callback must not fail the transfer.
      }
    };
    const transport = http();
    if (!transport) throw FlooError.fromName("GeneralError", "sysManage.asyncFileUpload: the client has no HTTP transport");
    let resp;
    try {
      resp = await transport.upload({ url, headers, fields, fileField: "file", fileName, contentType, file: file as Blob | Uint8Array | string, size }, report);
    } catch (err) {
      throw transportError(err, url);
    }
    const body = resp.body instanceof Uint8Array ? resp.body : new Uint8Array();
    if (!accepted(body)) {
      const text = new TextDecoder().decode(body);
      throw FlooError.fromName("ServerFileUploadUnknownError", `upload rejected: HTTP ${resp.status} ${text.length > 120 ? text.slice(0, 120) + "..." : text}`, { source: "transport", url });
    }
    if (total > 0) report(total, total);
    return { url: sl.download_url };
  };
}

/**
 * downloadAudio({url, processCallback?}): downloads an audio file as MP3 (the getAudio URL, the
 * credentials in the headers too) and resolves with its bytes. Any failure is
 * ServerFileDownloadFailure with the URL; processCallback hears once, at the end.
 */
export function downloadAudio(http: () => HttpTransport | undefined): Impl {
  return async (a, go) => {
    const url = a.ftext("url");
    const cb = a.fn(a.f("processCallback"), "processCallback");
    if (url === "") throw clientError("url is required");
    const full = getAudio(new Args("", [{ url }]), go);
    const headers: Record<string, string> = { app_id: String(go.userManage.getAppid() ?? "") };
    const tok = go.userManage.getToken();
    if (typeof tok === "string" && tok !== "") headers["access-token"] = tok;
    const fail = (msg: string) => FlooError.fromName("ServerFileDownloadFailure", msg, { source: "transport", url: full });
    const transport = http();
    if (!transport) throw fail("the client has no HTTP transport");
    let resp;
    try {
      resp = await transport.request({ method: "GET", url: full, headers, body: null });
    } catch (err) {
      throw fail(err instanceof Error ? err.message : String(err));
    }
    if (resp.status !== 200) throw fail(`download answered HTTP ${resp.status}`);
    const body = resp.body instanceof Uint8Array ? resp.body : new Uint8Array();
    if (cb) {
      try {
        cb({ loaded: body.length, total: body.length });
      } catch {
        // An application's callback must not fail the transfer.
      }
    }
    return body;
  };
}
