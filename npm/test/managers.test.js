// The manager objects (im.userManage, rosterManage, groupManage, sysManage, rtcManage) over the
// wasm module, with a fake ratel server behind the HTTP transport and a socket that never opens:
// the session has a token, so REST calls work, and sends wait in the outbox.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

import flooim, { FlooError, managerMethods, memoryStorage } from "../dist/index.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * A platform whose HTTP answers the DNS lookup and ratel calls by "METHOD /path" from `routes`
 * (the envelope's data as JSON text, or {code, message} for a business error; unknown paths
 * answer an empty list), and whose socket never opens.
 */
function fakeService(routes = {}) {
  const reqs = [];
  const dns = {
    app_status: "normal",
    link_server_list: [],
    dns_list: [{ group_level: 0, clusters: [{ ratel: [{ protocol: "https", host: "ratel.test" }], webim: [{ protocol: "https", host: "fire.test" }], rtc: [{ protocol: "https", host: "rtc.test" }] }] }],
  };
  const envelope = (data, code = 200, message = null) => ({
    status: 200,
    headers: { "content-type": "application/json" },
    body: enc.encode(`{"code":${code},"message":${JSON.stringify(message)},"data":${data}}`),
  });
  return {
    reqs,
    routes,
    transport: { connect: () => ({}), send() {}, close() {} },
    http: {
      async request(req) {
        const u = new URL(req.url);
        reqs.push({ method: req.method, path: u.pathname, query: Object.fromEntries(u.searchParams), body: req.body ? dec.decode(req.body) : "" });
        if (u.pathname === "/v2/app_dns") return envelope(JSON.stringify(dns));
        const r = routes[`${req.method} ${u.pathname}`];
        if (r === undefined) return envelope("[]");
        if (typeof r === "object") return envelope("null", r.code, r.message);
        return envelope(r);
      },
      async upload() {
        return { status: 200, headers: {}, body: enc.encode('{"data":true}') };
      },
    },
    storage: memoryStorage(),
    log() {},
  };
}

function client(routes) {
  const platform = fakeService(routes);
  const im = flooim({ appid: "mgr", autoLogin: false, dnsServer: "https://dns.test/v2/app_dns", requestTimeout: 2000, platform });
  return { im, platform };
}

/** Starts a session that never connects; its Promise settles only on close. */
async function tokenLogin(im) {
  im.tokenLogin(1001, "tok").catch(() => {});
  await im.ready();
  for (let i = 0; i < 100 && im.userManage.getToken() !== "tok"; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(im.userManage.getToken(), "tok");
}

test("before the module is ready, reads answer empty, writes throw and calls wait", async (t) => {
  const { im } = client({ "POST /user/register/v2": `{"user_id":7,"auth_mode":1,"x_new":12345678901234567890}` });
  t.after(() => im.close());
  assert.deepEqual(im.userManage.getConversationList(), []);
  assert.equal(im.userManage.getAppid(), "mgr");
  assert.equal(im.rosterManage.getUnreadCount(1), 0);
  assert.deepEqual(im.groupManage.getAllGroupDetail(), {});
  assert.deepEqual(im.sysManage.makeSearch("x"), { rosterArr: [], groupArr: [] });
  assert.throws(() => im.sysManage.sendRosterMessage({ uid: 1, content: "hi" }), (e) => e instanceof FlooError && /sysManage.sendRosterMessage: the SDK is still loading/.test(e.message));
  assert.throws(() => im.sysManage.getStaticVars(), (e) => e instanceof FlooError);
  // Registration needs no session: the call waits for the module, then goes out.
  const settings = await im.userManage.asyncRegister({ username: "new", password: "pw" });
  assert.deepEqual(settings, { user_id: 7, auth_mode: 1, x_new: "12345678901234567890" });
});

test("manager calls reach the engine and resolve with the official shapes", async (t) => {
  const { im, platform } = client({
    "GET /roster/list": "[5]",
    "POST /roster/list": `[{"user_id":5,"username":"bob","alias":"Bobby"}]`,
    "GET /group/info": `{"group_id":7,"name":"robots","read_ack":false}`,
    "POST /group/invite": `[{"user_id":5,"result":"fail","reason":"blocked"}]`,
    "POST /roster/block": { code: 10006, message: "you are blocked" },
  });
  t.after(() => im.close());
  await tokenLogin(im);

  assert.deepEqual(await im.rosterManage.asyncGetRosterIdList(true), [5]);
  const updated = im.once("onRosterInfoUpdate");
  assert.deepEqual(await im.rosterManage.asyncGetRosterInfo(5, true), { user_id: 5, username: "bob", alias: "Bobby" });
  assert.deepEqual(await updated, [5]);
  assert.deepEqual(im.rosterManage.getRosterInfo("5"), { user_id: 5, username: "bob", alias: "Bobby" });
  assert.deepEqual(await im.groupManage.asyncGetInfo({ group_id: 7 }), { group_id: 7, name: "robots", read_ack: false });
  assert.deepEqual(await im.groupManage.asyncInvite({ group_id: 7, user_list: [5], reason: "join" }), [{ user_id: 5, result: "fail", reason: "blocked" }]);
  assert.equal(platform.reqs.at(-1).body, `{"group_id":7,"user_list":[5],"reason":"join"}`);

  // REST business errors reject with the server's code, as the official clients do.
  await assert.rejects(im.rosterManage.asyncBlockeAdd({ user_id: 5 }), (e) => {
    assert.ok(e instanceof FlooError);
    assert.equal(e.code, 10006);
    assert.equal(e.source, "rest");
    assert.match(e.url, /\/roster\/block/);
    return true;
  });

  // Sends return the client_mid as a decimal string; the status event carries the same mid.
  const sending = new Promise((resolve) => im.on("onSendingMessageStatusChanged", (s) => s.status === "sending" && resolve(s)));
  const mid = im.sysManage.sendRosterMessage({ uid: 5, content: "hi", type: "text", config: { n: "12345678901234567890" } });
  assert.match(mid, /^\d+$/);
  const status = await sending;
  assert.equal(status.mid, mid);
  assert.equal(status.message.content, "hi");
  assert.equal(status.message.config.n, "12345678901234567890");
  const gmid = im.sysManage.sendGroupMessage({ gid: 7, content: "all" });
  assert.ok(BigInt(gmid) > BigInt(mid), "mids grow");

  im.sysManage.saveConversationDraft(5, "roster", "later");
  const [entry] = im.userManage.getConversationList();
  assert.equal(entry.id, 5);
  assert.equal(entry.draft, "later");
  assert.equal(typeof entry.draftTimestamp, "number");
  assert.equal(im.sysManage.getStaticVars().STATIC_MESSAGE_STATUS.READ, 2);
  assert.equal(im.sysManage.getMessageStatus(5, 1), undefined);
});

test("bad arguments: synchronous methods throw, asynchronous ones reject, and the client goes on", async (t) => {
  const { im } = client();
  t.after(() => im.close());
  await im.ready();
  const invalid = (what) => (e) => e instanceof FlooError && e.sdkName === "InvalidParam" && e.source === "client" && e.message.includes(what);
  assert.throws(() => im.sysManage.sendRosterMessage({ uid: 1.5, content: "x" }), invalid("sysManage.sendRosterMessage: uid must be a non-negative integer id"));
  assert.throws(() => im.rosterManage.getUnreadCount({}), invalid("rosterManage.getUnreadCount: uid must be a number or a decimal string, got object"));
  assert.throws(() => im.sysManage.touchConversation(1, "channel"), invalid('type must be "roster" or "group"'));
  await assert.rejects(im.groupManage.asyncKick({ group_id: 1, user_list: "2" }), invalid("groupManage.asyncKick: user_list must be an array of ids, got string"));
  await assert.rejects(im.userManage.asyncUpdateAuthmode({ value: 9 }), invalid("value must be an integer from 0 to 3"));
  await assert.rejects(im.sysManage.asyncQrcode("x"), invalid("params must be an object"));
  assert.equal(im.userManage.getAppid(), "mgr");
  await assert.rejects(im.rosterManage.asyncGetRosterIdList(), (e) => e.sdkName === "UserNotLogin");
});

test("after close, reads answer empty and the rest fails with a FlooError", async () => {
  const { im } = client();
  await im.ready();
  await im.close();
  assert.deepEqual(im.rosterManage.getRosterMessageByRid(1), []);
  assert.throws(() => im.sysManage.sendRosterMessage({ uid: 1, content: "x" }), (e) => e instanceof FlooError && /closed/.test(e.message));
  await assert.rejects(im.groupManage.asyncGetInfo(1), (e) => e instanceof FlooError && /closed/.test(e.message));
});

/** The names of §3-§7 of JSAPI.md, by object, or undefined when the spec is not next to the repository. */
async function specNames() {
  let src;
  try {
    src = await readFile(new URL("../../../shared/spec/JSAPI.md", import.meta.url), "utf8");
  } catch {
    return undefined;
  }
  const sections = { 3: "im", 4: "userManage", 5: "rosterManage", 6: "groupManage", 7: "sysManage" };
  const span = /`([a-z][A-Za-z0-9]*)[^`]*`/g;
  const out = {};
  let section, rtc;
  for (const line of src.split("\n")) {
    if (line.startsWith("## ")) section = sections[parseInt(line.slice(3), 10)];
    else if (!section) continue;
    else if (line.startsWith("`rtcManage` (")) rtc = " ";
    else if (rtc !== undefined && line !== "") rtc += line + " ";
    else if (rtc !== undefined) {
      out.rtcManage = [...rtc.matchAll(span)].map((m) => m[1]);
      rtc = undefined;
    } else if (line.startsWith("| `")) {
      const cell = line.replaceAll("\\|", "/").split("|")[1];
      (out[section] ??= []).push(...[...cell.matchAll(span)].map((m) => m[1]));
    }
  }
  return out;
}

test("every name of JSAPI.md §3-§7 exists on the client", async (t) => {
  const spec = await specNames();
  if (!spec) {
    t.skip("JSAPI.md not found");
    return;
  }
  const { im } = client();
  t.after(() => im.close());
  for (const name of spec.im) assert.notEqual(im[name], undefined, `im.${name}`);
  for (const mgr of ["userManage", "rosterManage", "groupManage", "sysManage", "rtcManage"]) {
    assert.ok(spec[mgr].length > 10, mgr);
    for (const name of spec[mgr]) assert.equal(typeof im[mgr][name], "function", `${mgr}.${name}`);
    assert.deepEqual([...new Set(spec[mgr])].sort(), [...new Set(managerMethods[mgr])].sort(), `managerMethods.${mgr} lists the spec's names`);
  }
  assert.equal(typeof im.listen, "function");
});

// The REST wrappers implemented in TypeScript (npm/src/managers/): bad inputs per method. Each
// case is [method, arguments, a fragment of the InvalidParam message]; "core:" marks the checks
// made after the types were accepted, whose message does not name the argument.
const tsBadInputs = [
  ["userManage.asyncKickDevice", [{}], "device_sn is required"],
  ["userManage.asyncKickDevice", [{ device_sn: -1 }], "device_sn must be a non-negative integer id"],
  ["userManage.asyncBindDeviceToken", [{ device_sn: 1, device_token: 5 }], "device_token must be a string, got number"],
  ["userManage.asyncBindDeviceToken", [{ device_sn: 1 }], "core:device token is required"],
  ["userManage.asyncUnbindDeviceToken", [{ deviceSn: "x" }], 'deviceSn must be a decimal id, got "x"'],
  ["userManage.asyncDeleteUser", [{ password: 1 }], "password must be a string"],
  ["userManage.asyncDeleteUser", [{}], "core:password is required"],
  ["userManage.asyncRegister", [{ username: [], password: "p" }], "username must be a string, got array"],
  ["userManage.asyncRegisterAnonymous", [[1]], "the parameter must be an object, got array"],
  ["userManage.asyncUpdateAuthmode", [{ value: 7 }], "value must be an integer from 0 to 3"],
  ["userManage.asyncUpdateAvatar", [{ avatar: {} }], "avatar must be a string, got object"],
  ["userManage.asyncUpdateAvatar", [{ avatar: " " }], "core:avatar is required"],
  ["userManage.asyncUpdateMobile", [{ mobile: 13 }], "mobile must be a string"],
  ["userManage.asyncUpdateNickName", [{ nick_name: true }], "nick_name must be a string, got boolean"],
  ["userManage.asyncUserChangePassword", [{ old_password: "a", new_password: 2 }], "new_password must be a string"],
  ["userManage.asyncUpdateProfile", [{ description: 5 }], "description must be a string"],
  ["userManage.asyncUpdateProfile", [{}], "core:profile update without fields"],
  ["userManage.asyncUpdateSettings", ["x"], "settings must be an object, got string"],
  ["userManage.asyncUpdateSettings", [{}], "core:settings must be a non-empty object"],
  ["userManage.asyncGetDeviceList", [], "noargs"],
  ["userManage.asyncGetProfile", [], "noargs"],
  ["userManage.asyncGetSettings", [], "noargs"],
  ["rosterManage.asyncGetUserProfile", [1], "force must be a boolean"],
  ["rosterManage.asyncRegester", [null], "core:username and password are required"],
  ["rosterManage.asyncRegester", [{ username: "x".repeat(5000), password: "p" }], "username is longer than 4096 bytes"],
];

/** The methods that stay in the engine (jsbridge/*manage_js.go, tested by go test ./jsbridge). */
const engineMethods = {
  userManage: ["getToken", "getUid", "getAppid", "getDeviceSN", "deleteToken", "getConversationList", "asyncTokenUser", "asyncTokenId"],
};

test("the TypeScript managers reject bad arguments before any I/O, naming the method and the argument", async (t) => {
  const { im, platform } = client();
  t.after(() => im.close());
  await im.ready();
  const covered = new Set();
  for (const [method, args, want] of tsBadInputs) {
    covered.add(method);
    if (want === "noargs") continue;
    const [mgr, name] = method.split(".");
    await assert.rejects(im[mgr][name](...args), (e) => {
      assert.ok(e instanceof FlooError, `${method}: ${e}`);
      assert.equal(e.sdkName, "InvalidParam", `${method}: ${e.message}`);
      assert.equal(e.source, "client");
      if (want.startsWith("core:")) assert.ok(e.message.includes(want.slice(5)), `${method}: ${e.message}`);
      else assert.ok(e.message.includes(`${method}: ${want}`), `${method}: ${e.message}`);
      return true;
    });
  }
  // Every account and demo-app method wants an object of parameters.
  for (const mgr of ["userManage", "sysManage"]) {
    for (const name of managerMethods[mgr]) {
      const key = `${mgr}.${name}`;
      if (covered.has(key) || (engineMethods[mgr] ?? []).includes(name) || mgr === "sysManage" && !/^(async(Qr|Woa|Wx|Wechat|GetStaticContact))/.test(name)) continue;
      await assert.rejects(im[mgr][name]("x"), (e) => e.sdkName === "InvalidParam" && e.message === `${key}: params must be an object, got string`, key);
      covered.add(key);
    }
  }
  for (const name of managerMethods.userManage) {
    assert.ok(covered.has(`userManage.${name}`) || engineMethods.userManage.includes(name), `userManage.${name} has no bad-input case`);
  }
  // Nothing reached the network but DNS, and the calls needing a session say so.
  assert.deepEqual(new Set(platform.reqs.map((r) => r.path)), new Set(["/v2/app_dns"].filter(() => platform.reqs.length > 0)));
  await assert.rejects(im.userManage.asyncGetProfile(), (e) => e.sdkName === "UserNotLogin" && /\/user\/profile needs a logged-in session/.test(e.message));
});

test("the TypeScript managers send the official requests and resolve with the official shapes", async (t) => {
  const { im, platform } = client({
    "POST /user/nickname": "true",
    "GET /user/profile": `{"user_id":1001,"nick_name":"Al","big":12345678901234567890}`,
    "POST /user/profile": "true",
    "POST /user/settings": "true",
    "POST /user/kick": "true",
    "GET /user/device/list": `[{"device_sn":3,"platform":6}]`,
    "GET /app/qr_code": `{"qr":"abc"}`,
    "POST /app/wechat/bind": `{"ok":1}`,
    "POST /user/authmode": { code: 10004, message: "no" },
  });
  t.after(() => im.close());
  await tokenLogin(im);
  const last = (path) => platform.reqs.filter((r) => r.path === path).at(-1);

  assert.equal(await im.userManage.asyncUpdateNickName({ nick_name: "Al" }), true);
  assert.equal(last("/user/nickname").query.nick_name, "Al");
  assert.equal(last("/user/nickname").body, "{}");
  assert.deepEqual(await im.userManage.asyncGetDeviceList(), [{ device_sn: 3, platform: 6 }]);
  assert.equal(await im.userManage.asyncKickDevice({ device_sn: "12345678901234567890" }), true);
  assert.equal(last("/user/kick").body, `{"device_sn":12345678901234567890}`, "ids go out as JSON numbers of any size");

  // The profile is cached for rosterManage.asyncGetUserProfile and follows the updates.
  const profile = { user_id: 1001, nick_name: "Al", big: "12345678901234567890" };
  assert.deepEqual(await im.userManage.asyncGetProfile(), profile);
  assert.equal(await im.userManage.asyncUpdateProfile({ description: "hi", nick_name: "Al2" }), true);
  assert.equal(last("/user/profile").body, `{"nick_name":"Al2","description":"hi"}`);
  const n = platform.reqs.length;
  assert.deepEqual(await im.rosterManage.asyncGetUserProfile(), { ...profile, nick_name: "Al2", description: "hi" });
  assert.equal(platform.reqs.length, n, "answered from the cache");
  assert.deepEqual(await im.rosterManage.asyncGetUserProfile(true), profile);

  // Settings updates name the user when the caller does not.
  assert.equal(await im.userManage.asyncUpdateSettings({ push_detail: false }), true);
  assert.equal(last("/user/settings").body, `{"user_id":1001,"push_detail":false}`);

  // Account calls pass their parameters through: GET as the query, POST as the body.
  assert.deepEqual(await im.sysManage.asyncQrcode({ size: 3, label: "x" }), { qr: "abc" });
  assert.deepEqual(last("/app/qr_code").query, { size: "3", label: "x" });
  assert.deepEqual(await im.sysManage.asyncWechatBind({ code: "c" }), { ok: 1 });
  assert.equal(last("/app/wechat/bind").body, `{"code":"c"}`);

  // REST business errors keep the server's code and the URL.
  await assert.rejects(im.userManage.asyncUpdateAuthmode({ value: 1 }), (e) => e.code === 10004 && e.source === "rest" && /\/user\/authmode/.test(e.url));
  assert.equal(last("/user/authmode").query.value, "1");
});
