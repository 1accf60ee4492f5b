// The REST methods of userManage (JSAPI.md §4, REST.md §5, §6, §11) and the account and demo-app
// wrappers of userManage and sysManage. The session methods (getToken, getUid, getAppid,
// getDeviceSN, deleteToken, getConversationList) and the token calls stay in the engine.

import type { GoClient } from "../types/bridge.js";
import { Args, clientError } from "./args.js";
import * as rest from "./rest.js";
import type { Query } from "./rest.js";
import type { Impl, Session } from "./session.js";

/** The account and demo-app endpoints (REST.md §11) by official method name, misspellings included. */
const accountEndpoints: Record<string, string> = {
  asyncGenerateSecretInfo: "POST /app/secret_info",
  asyncSendSecretInfo: "GET /app/secret_info",
  asyncUserBindMobile: "POST /app/user/mobile_bind",
  asyncUserUpdateMobile: "POST /app/user/mobile_update",
  asyncUserSendSms: "GET /app/captcha/sms",
  asyncCaptchaSms: "GET /app/captcha/sms_web",
  aysncGenerateWXUrlLink: "POST /app/generate_url_link",
  asyncUserNameCheck: "GET /app/user/name_check",
  asyncUserMobileBind: "POST /app/user/mobile_bind",
  asyncUserMobileBindSign: "POST /app/user/mobile_bind_with_sign",
  asyncUserMobileLogin: "GET /app/user/info_pwd",
  asyncCaptchaImagePost: "POST /app/captcha/image",
  asyncGetUserVerification: "GET /app/user_verification",
  userVerificationByMobile: "POST /app/user_verification_by_mobile",
  userChangeMobileCheckPassword: "POST /app/user/mobile_prechange_by_password",
  userChangeMobileCheckMobile: "POST /app/user/mobile_prechange_by_mobile",
  userChangeMobile: "POST /app/user/mobile_change",
};

/** The demo-app wrappers of sysManage. */
const sysAccountEndpoints: Record<string, string> = {
  asyncQrcode: "GET /app/qr_code",
  asyncQrlogin: "GET /app/qr_login",
  asyncQrcodeGroupsign: "GET /app/qrcode/group_sign",
  asyncQrcodeGroupinvite: "GET /app/qrcode/group_invite",
  asyncWoaQrcode: "GET /app/official_account/qrcode",
  asyncWoaQrcodeStatus: "GET /app/official_account/qrcode_status",
  asyncWoaQrlogin: "GET /app/official_account/login",
  asyncWoaIsBind: "GET /app/official_account/is_bind",
  asyncWxlogin: "GET /app/wechat_login",
  asyncWxbind: "GET /user/bind_openid",
  asyncGetStaticContact: "GET /app/support_staff",
  asyncWechatUnbind: "POST /app/wechat/unbind",
  asyncWechatIsbind: "GET /app/wechat/is_bind",
  asyncWechatBind: "POST /app/wechat/bind",
};

/**
 * The account calls: their request and reply shapes are not published, so the parameter object is
 * passed through (GET: each member a query parameter, non-strings as JSON text; POST: the JSON
 * body) and the reply's data is the result.
 */
function accountMethods(table: Record<string, string>): Record<string, Impl> {
  const out: Record<string, Impl> = {};
  for (const [name, endpoint] of Object.entries(table)) {
    const [method, path] = endpoint.split(" ") as ["GET" | "POST", string];
    out[name] = (a, go) => {
      const params = a.params(a.arg(0), "params");
      if (method === "POST") return rest.call(go, { method, path, ...(params === undefined ? {} : { body: params }) });
      const q: Query = [];
      for (const [k, v] of Object.entries((a.arg(0) ?? {}) as Record<string, unknown>)) {
        if (v === undefined || v === null) continue;
        q.push([k, typeof v === "string" ? v : JSON.stringify(v)]);
      }
      return rest.call(go, { method, path, query: q });
    };
  }
  return out;
}

export const sysAccountMethods = accountMethods(sysAccountEndpoints);

const done = () => true;

/** register implements userManage.asyncRegister and its misspelled twin rosterManage.asyncRegester. */
export function register(path: string): Impl {
  return (a, go) => {
    const username = a.fstr("username");
    const password = a.fstr("password");
    if (username === "" || password === "") throw clientError("username and password are required");
    return rest.post(go, path, { username, password });
  };
}

/** needText fails unless v has a non-blank character. */
function needText(what: string, v: string): void {
  if (v.trim() === "") throw clientError(`${what} is required`);
}

/** The user's own profile (asyncGetProfile), cached for rosterManage.asyncGetUserProfile. */
export async function fetchProfile(s: Session, go: GoClient): Promise<unknown> {
  const sess = s.current(go);
  const data = await rest.get(go, "/user/profile");
  if (s.current(go) === sess) sess.profile = data;
  return data;
}

/** profileCall performs a profile change and merges fields into the cached profile, if any. */
async function profileCall(s: Session, go: GoClient, req: Promise<unknown>, fields: Record<string, unknown>): Promise<boolean> {
  const sess = s.current(go);
  await req;
  if (s.current(go) === sess && typeof sess.profile === "object" && sess.profile !== null) {
    sess.profile = { ...(sess.profile as object), ...fields };
  }
  return true;
}

export function userMethods(s: Session): Record<string, Impl> {
  return {
    asyncGetDeviceList: (_a, go) => rest.get(go, "/user/device/list").then(list),
    asyncKickDevice: (a, go) => rest.post(go, "/user/kick", { device_sn: a.fid("device_sn") }).then(done),
    asyncBindDeviceToken: (a, go) => {
      const device_sn = a.fid("device_sn");
      const device_token = a.fstr("device_token");
      const notifier_name = a.fstr("notifier_name");
      if (device_token === "") throw clientError("device token is required");
      return rest.post(go, "/user/token/bind", { device_sn, device_token, notifier_name }).then(done);
    },
    asyncUnbindDeviceToken: (a, go) => rest.postQuery(go, "/user/token/unbind", [["deviceSn", a.fid("deviceSn").digits]]).then(done),
    asyncDeleteUser: (a, go) => {
      const password = a.fstr("password");
      if (password === "") throw clientError("password is required");
      return rest.post(go, "/user/delete", { password }).then(done);
    },
    asyncRegister: register("/user/register/v2"),
    asyncRegisterAnonymous: register("/user/register/anonymous"),
    asyncUpdateAuthmode: (a, go) => {
      const mode = a.num(a.f("value"), "value", -1, 0, 3);
      if (mode < 0) throw clientError("auth mode must be between 0 and 3");
      return rest.postQuery(go, "/user/authmode", [["value", String(mode)]]).then(done);
    },
    asyncUpdateAvatar: (a, go) => {
      const avatar = a.ftext("avatar");
      needText("avatar", avatar);
      return profileCall(s, go, rest.post(go, "/user/avatar", { avatar }), { avatar });
    },
    asyncUpdateMobile: (a, go) => {
      const mobile = a.fstr("mobile");
      needText("mobile", mobile);
      return profileCall(s, go, rest.postQuery(go, "/user/mobile", [["mobile", mobile]]), { mobile });
    },
    asyncUpdateNickName: (a, go) => {
      const nick_name = a.fstr("nick_name");
      needText("nick name", nick_name);
      return profileCall(s, go, rest.postQuery(go, "/user/nickname", [["nick_name", nick_name]]), { nick_name });
    },
    asyncUserChangePassword: (a, go) => {
      const old_password = a.fstr("old_password");
      const new_password = a.fstr("new_password");
      if (old_password === "" || new_password === "") throw clientError("old and new password are required");
      return rest.post(go, "/user/change_password", { old_password, new_password }).then(done);
    },
    asyncGetProfile: (_a, go) => fetchProfile(s, go),
    asyncUpdateProfile: (a, go) => {
      const fields: Record<string, string> = {};
      for (const k of ["nick_name", "description", "public_info", "private_info"]) {
        const v = a.f(k);
        if (v !== undefined && v !== null) fields[k] = a.text(v, k);
      }
      if (Object.keys(fields).length === 0) throw clientError("profile update without fields");
      return profileCall(s, go, rest.post(go, "/user/profile", fields), fields);
    },
    asyncGetSettings: (_a, go) => rest.get(go, "/user/settings"),
    asyncUpdateSettings: (a, go) => {
      const text = a.params(a.arg(0), "settings");
      const fields = text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
      if (!fields || Object.keys(fields).length === 0) throw clientError("settings must be a non-empty object");
      let body = text!;
      if (!("user_id" in fields)) {
        const uid = go.userManage.getUid() as number | string | undefined;
        if (uid === undefined) return Promise.reject(sessionError("settings update needs a logged-in session"));
        body = `{"user_id":${uid},` + body.slice(1);
      }
      return rest.call(go, { method: "POST", path: "/user/settings", body }).then(done);
    },
    ...accountMethods(accountEndpoints),
  };
}

import { FlooError } from "../errors.js";

function sessionError(msg: string): FlooError {
  return FlooError.fromName("UserNotLogin", msg);
}

/** A REST list as the engine returned lists of entities: the array, or empty for anything else. */
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export { Args };
