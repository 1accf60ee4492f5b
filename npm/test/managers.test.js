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
  // The enum tables need no engine: they come from a generated table.
  assert.equal(im.sysManage.getStaticVars().STATIC_MESSAGE_STATUS.READ, 2);
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

  // Sends need their content ("" is fine) and take ext as a string.
  assert.throws(() => im.sysManage.sendRosterMessage({ uid: 1 }), invalid("sysManage.sendRosterMessage: content is required"));
  assert.throws(() => im.sysManage.sendGroupMessage({ gid: 1, content: "x", ext: {} }), invalid("ext must be a string, got object"));
  assert.throws(() => im.sysManage.sendMentionMessage({ gid: 1 }), invalid("sysManage.sendMentionMessage: txt is required"));
  await assert.rejects(im.rosterManage.appendMessageContent(1, 2), invalid("content is required"));
  await assert.rejects(im.groupManage.replaceMessage(1, 2, "c", null, {}), invalid("ext must be a string, got object"));

  // Event subscriptions: a wrong name or handler throws at once (once rejects), nothing is subscribed.
  const fn = () => {};
  for (const [method, args, what] of [
    ["on", [], "event name must be a string"],
    ["on", [null], "got null"],
    ["on", [42, fn], "got number"],
    ["on", ["onRosterMessage"], "handler of onRosterMessage must be a function, got undefined"],
    ["on", [{ onRosterMessage: 42 }], "handler of onRosterMessage must be a function, got number"],
    ["listen", ["onRosterMessage", 42], "handler of onRosterMessage must be a function"],
    ["listen", [42, fn], "got number"],
    ["off", [], "event name must be a string"],
    ["off", [42, fn], "got number"],
    ["off", ["onRosterMessage", 42], "handler of onRosterMessage must be a function"],
  ]) {
    assert.throws(() => im[method](...args), (e) => invalid(what)(e) && e.message.startsWith(`${method}: `), `${method}(${args.map(String)})`);
  }
  await assert.rejects(im.once(), invalid("once: the event name must be a string, got undefined"));
  await assert.rejects(im.once(42), invalid("got number"));
  assert.equal(im.on("onRosterMessage", fn).off("onRosterMessage", fn).off("onRosterMessage"), im, "the valid forms still chain");

  // A misspelt name (a compile error in TypeScript) subscribes, but warns once per name.
  const warnings = [];
  const warn = console.warn;
  console.warn = (...a) => warnings.push(a.join(" "));
  try {
    im.on("onRosterMesage", fn).on("onRosterMesage", () => {}).listen("onRosterMesage", fn).on({ onGroupMesage: fn });
    im.on("onRosterMessage", fn).on("sendingStalled", fn).on("connectionStateChanged", fn);
  } finally {
    console.warn = warn;
    im.off("onRosterMesage").off("onGroupMesage").off("onRosterMessage").off("sendingStalled").off("connectionStateChanged");
  }
  assert.deepEqual(warnings, [
    'floo: on("onRosterMesage"): no event has this name, the handler will never run',
    'floo: on("onGroupMesage"): no event has this name, the handler will never run',
  ]);
});

test("after close, reads answer empty and the rest fails with a FlooError", async () => {
  const { im } = client();
  await im.ready();
  await im.close();
  assert.deepEqual(im.rosterManage.getRosterMessageByRid(1), []);
  assert.throws(() => im.sysManage.sendRosterMessage({ uid: 1, content: "x" }), (e) => e instanceof FlooError && /closed/.test(e.message));
  await assert.rejects(im.groupManage.asyncGetInfo(1), (e) => e instanceof FlooError && /closed/.test(e.message));
  assert.equal(im.sysManage.getStaticVars().STATIC_MESSAGE_STATUS.DELIVERED, 1, "the enum tables need no engine");
});

/** The tables of sysManage.getStaticVars() that JSAPI.md §13.1 lists, misspelling included. */
const STATIC_TABLES = [
  "STATIC_FRAME_VSN", "STATIC_FRAME_COMMAND", "STATIC_FRAME_COMPRESS_METHOD", "STATIC_FRAME_ERROR_STATUS",
  "STATIC_FRAME_OSTYPE", "STATIC_FRAME_ENCRYPTMETHOD", "STATIC_META_NAMESPACE", "STATIC_MESSAGE_TYPE",
  "STATIC_MESSAGE_OPTYPE", "STATIC_MESSAGE_CONTENT_TYPE", "STATIC_MESSAGE_QOS", "STATIC_GROUPNOTICE_TYPE",
  "STATIC_INFO_NETWORK", "STATIC_USERNOTICE_TYPE", "STATIC_ROSTERNONTICE_TYPE", "STATIC_CONVERSATION_TYPE",
  "STATIC_CONVERSATION_OPTYPE", "STATIC_RTC_SIGNAL_TYPE", "STATIC_MESSAGE_STATUS",
];

test("sysManage.getStaticVars: the official tables, a fresh copy each call, at any time", async (t) => {
  const { im } = client();
  t.after(() => im.close());
  const before = im.sysManage.getStaticVars();
  await im.ready();
  const vars = im.sysManage.getStaticVars();
  assert.deepEqual(vars, before, "the same tables before and after ready");
  assert.deepEqual(Object.keys(vars).sort(), [...STATIC_TABLES].sort());
  const spec = await readFile(new URL("../../../shared/spec/JSAPI.md", import.meta.url), "utf8").catch(() => undefined);
  if (spec !== undefined) {
    const section = spec.slice(spec.indexOf("### 13.1"), spec.indexOf("### 13.2"));
    assert.deepEqual([...section.matchAll(/`(STATIC_[A-Z_]+)`/g)].map((m) => m[1]), STATIC_TABLES, "the list of JSAPI.md §13.1");
  }
  assert.deepEqual(vars.STATIC_MESSAGE_STATUS, { UNREAD: 0, DELIVERED: 1, READ: 2 });
  assert.equal(vars.STATIC_MESSAGE_STATUS.READ, 2);
  assert.deepEqual(vars.STATIC_FRAME_COMMAND, { UNREAD: 0, SYNC: 1, NOTICE: 2, PROVISION: 3 });
  assert.equal(vars.STATIC_ROSTERNONTICE_TYPE.INFO_UPDATED, 8);
  assert.equal(vars.STATIC_GROUPNOTICE_TYPE.FILE_UPDATED, 28);
  assert.equal(vars.STATIC_FRAME_ERROR_STATUS.RATE_LIMIT_EXCEEDED, 20);
  assert.equal(vars.STATIC_FRAME_OSTYPE.WEB, 6);
  assert.equal(vars.STATIC_MESSAGE_CONTENT_TYPE.RTC, 8);
  for (const [name, table] of Object.entries(vars)) {
    // Every enum of xsync.proto runs from 0 without gaps, listed in that order.
    assert.deepEqual(Object.values(table), Object.keys(table).map((_, i) => i), name);
  }
  assert.deepEqual(im.sysManage.getStaticVars("ignored", 1), vars, "arguments are ignored");

  // A caller that changes its copy changes no later answer, nor an earlier one.
  vars.STATIC_MESSAGE_STATUS.READ = 99;
  vars.STATIC_MESSAGE_STATUS.EXTRA = 3;
  delete vars.STATIC_FRAME_VSN;
  vars.STATIC_NEW = {};
  const again = im.sysManage.getStaticVars();
  assert.notEqual(again, vars);
  assert.notEqual(again.STATIC_MESSAGE_STATUS, vars.STATIC_MESSAGE_STATUS);
  assert.deepEqual(again.STATIC_MESSAGE_STATUS, { UNREAD: 0, DELIVERED: 1, READ: 2 });
  assert.deepEqual(Object.keys(again).sort(), [...STATIC_TABLES].sort());
  assert.equal(before.STATIC_MESSAGE_STATUS.READ, 2);
  assert.deepEqual(again, before);
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
  ["rosterManage.asyncGetRosterIdList", ["yes"], "force must be a boolean, got string"],
  ["rosterManage.asyncGetRosterInfo", [], "rid is required"],
  ["rosterManage.asyncGetRosterInfo", ["abc"], 'rid must be a decimal id, got "abc"'],
  ["rosterManage.asyncGetRosterInfo", [9007199254740993], "rid is beyond 2^53-1"],
  ["rosterManage.asyncBlockeAdd", [{ user_id: "18446744073709551616" }], 'user_id must be a decimal id, got "18446744073709551616"'],
  ["rosterManage.asyncBlockeAdd", [{ user_id: "000" }], "user_id must be a positive id"],
  ["rosterManage.asyncGetRosterInfo", [1, "yes"], "force must be a boolean"],
  ["rosterManage.asnycGetRosterListDetailByIds", [5], "ids must be an array of ids, got number"],
  ["rosterManage.asnycGetRosterListDetailByIds", [], "ids is required"],
  ["rosterManage.asnycGetRosterListDetailByIds", [[1, "x"]], "ids[1] must be a decimal id"],
  ["rosterManage.asyncDeleteRoster", [{ user_id: 0 }], "user_id must be a positive id"],
  ["rosterManage.getAllRosterDetail", [], "noargs"],
  ["rosterManage.getRosterInfo", [{}], "rid must be a number or a decimal string, got object"],
  ["rosterManage.asyncGetApplyList", [{ cursor: 1 }], "cursor must be a string"],
  ["rosterManage.asyncGetApplyList", [{ limit: -1 }], "limit must be an integer from 0"],
  ["rosterManage.asyncGetBlockedlist", [], "noargs"],
  ["rosterManage.asyncBlockeAdd", [{}], "user_id is required"],
  ["rosterManage.asyncBlockeRemove", [{ user_id: "1 " }], "user_id must be a decimal id"],
  ["rosterManage.asyncApply", [{ user_id: 1, alias: 2 }], "alias must be a string"],
  ["rosterManage.asyncAccept", [{ user_id: "1x" }], "user_id must be a decimal id"],
  ["rosterManage.asyncDecline", [{ user_id: 1, reason: {} }], "reason must be a string, got object"],
  ["rosterManage.asyncUpdateRosterExt", [{ user_id: 1, ext: 1 }], "ext must be a string"],
  ["rosterManage.asyncUpdateRosterAlias", [{ user_id: 1, alias: [] }], "alias must be a string, got array"],
  ["rosterManage.asyncSearchRosterByName", [{ username: 1 }], "username must be a string"],
  ["rosterManage.asyncSearchRosterByName", [{ username: " " }], "core:username is required"],
  ["rosterManage.asyncSearchRosterById", [{ user_id: true }], "user_id must be a number or a decimal string, got boolean"],
  ["rosterManage.asyncRegester", [null], "core:username and password are required"],
  ["rosterManage.asyncRegester", [{ username: "x".repeat(5000), password: "p" }], "username is longer than 4096 bytes"],

  ["groupManage.asyncGetGroupInfo", [], "group_id is required"],
  ["groupManage.asyncGetGroupInfo", [1, "yes"], "force must be a boolean"],
  ["groupManage.asyncGetJoinedGroups", [0], "force must be a boolean, got number"],
  ["groupManage.openGroup", ["g"], 'group_id must be a decimal id, got "g"'],
  ["groupManage.getAllGroupDetail", [], "noargs"],
  ["groupManage.asyncGetGroupMembers", [{ group_id: -5 }], "group_id must be a non-negative integer id"],
  ["groupManage.getGroupMembers", [null], "group_id is required"],
  ["groupManage.asyncGetGroupListDetail", ["1,2"], "gids must be an array of ids, got string"],
  ["groupManage.asyncGetGroupListDetail", [], "gids is required"],
  ["groupManage.asyncGetInfo", ["x"], 'group_id must be a decimal id, got "x"'],
  ["groupManage.asyncGetMemberList", [{}], "group_id is required"],
  ["groupManage.asyncCreate", [{ name: 5 }], "name must be a string, got number"],
  ["groupManage.asyncCreate", [{}], "name is required"],
  ["groupManage.asyncCreate", [{ name: " " }], "core:group name is required"],
  ["groupManage.asyncCreate", [{ name: "g", type: 9 }], "type must be an integer from 0 to 3"],
  ["groupManage.asyncCreate", [{ name: "g", user_list: [0] }], "user_list[0] must be a positive id"],
  ["groupManage.asyncDestroy", [{}], "group_id is required"],
  ["groupManage.asyncGetPublicList", [], "noargs"],
  ["groupManage.asyncGetUserJoined", [], "noargs"],
  ["groupManage.asyncUpdateName", [{ group_id: 1, value: 1 }], "value must be a string, got number"],
  ["groupManage.asyncUpdateName", [{ group_id: 1 }], "value is required"],
  ["groupManage.asyncUpdateAvatar", [{ group_id: 1, value: {} }], "value must be a string, got object"],
  ["groupManage.asyncUpdateAvatar", [{ group_id: 1 }], "value is required"],
  ["groupManage.asyncUpdateDescription", [{ group_id: 1, value: [] }], "value must be a string, got array"],
  ["groupManage.asyncUpdateDescription", [{ group_id: 1, value: null }], "value is required"],
  ["groupManage.asyncUpdateExt", [{ value: "e" }], "group_id is required"],
  ["groupManage.asyncUpdateExt", [{ group_id: 1 }], "value is required"],
  ["groupManage.asyncGetSettings", [], "group_id is required"],
  ["groupManage.asyncUpdateAllowMemberInvitation", [{ group_id: 1, value: "yes" }], "value must be a boolean, got string"],
  ["groupManage.asyncUpdateAllowMemberInvitation", [{ group_id: 1 }], "value is required"],
  ["groupManage.asyncUpdateAllowMemberModify", [{ group_id: 1, value: 1 }], "value must be a boolean, got number"],
  ["groupManage.asyncUpdateEnableReadack", [{ value: true }], "group_id is required"],
  ["groupManage.asyncUpdateHistoryVisible", [{ group_id: "a", value: true }], "group_id must be a decimal id"],
  ["groupManage.asyncHideMemberInfo", [{ group_id: 1, value: null }, 2], "value is required"],
  ["groupManage.asyncUpdateRequireadminapproval", [{ group_id: 1, apply_approval: 3 }], "apply_approval must be an integer from 0 to 2"],
  ["groupManage.asyncUpdateRequireadminapproval", [{ group_id: 1 }], "apply_approval is required"],
  ["groupManage.asyncBanAll", [{ group_id: 1, duration: 0 }], "duration must be an integer from 1"],
  ["groupManage.asyncBanAll", [{ group_id: 1, duration: "abc" }], "duration must be a number, got string"],
  ["groupManage.asyncUnBanAll", [{ group_id: "a" }], "group_id must be a decimal id"],
  ["groupManage.asyncGroupMsgMutemode", [{ group_id: 1, msg_mute_mode: 5 }], "msg_mute_mode must be an integer from 0 to 2"],
  ["groupManage.asyncGroupMsgMutemode", [{ group_id: 1, msg_mute_mode: 1.5 }], "msg_mute_mode must be an integer from 0 to 2"],
  ["groupManage.asyncUpdateMsgNotDisturb", [{ group_id: 1, value: 1 }], "value must be a boolean"],
  ["groupManage.asyncGetAdminList", [], "group_id is required"],
  ["groupManage.asyncAdminAdd", [{ group_id: 1, user_list: "2" }], "user_list must be an array of ids, got string"],
  ["groupManage.asyncAdminRemove", [{ group_id: 1, user_list: [null] }], "user_list[0] is required"],
  ["groupManage.asyncOwnerTransfer", [{ group_id: 1 }], "new_owner is required"],
  ["groupManage.asyncApply", [{ group_id: 1, reason: 2 }], "reason must be a string"],
  ["groupManage.asyncApplyHandle", [{ group_id: 1, user_id: 2, approval: "y" }], "approval must be a boolean"],
  ["groupManage.asyncApplyHandle", [{ group_id: 1, user_id: 2 }], "approval is required"],
  ["groupManage.asncGetApplicationList", [{ group_list: [1], cursor: 5 }], "cursor must be a string"],
  ["groupManage.asncGetApplicationList", [{}], "core:group list must not be empty"],
  ["groupManage.asyncInvite", [{ group_id: 1, user_list: [1], reason: 1 }], "reason must be a string"],
  ["groupManage.asyncInvite", [{ group_id: 1 }], "core:user list must not be empty"],
  ["groupManage.asyncInviteHandle", [{ group_id: 1, user_id: 2, approval: 1 }], "approval must be a boolean"],
  ["groupManage.asyncInviteHandle", [{ group_id: 1, user_id: 2 }], "approval is required"],
  ["groupManage.asyncGetInvitationList", [{ version: "v" }], "version must be a decimal id"],
  ["groupManage.asyncKick", [{ group_id: 1, user_list: [1.5] }], "user_list[0] must be a non-negative integer id"],
  ["groupManage.asyncLeave", [{ group_id: null }], "group_id is required"],
  ["groupManage.asyncGroupBlock", [{ group_id: 1 }], "core:user list must not be empty"],
  ["groupManage.asyncGroupUnblock", [{ group_id: 1, user_list: {} }], "user_list must be an array of ids, got object"],
  ["groupManage.asyncGroupBockedlist", ["x"], "group_id must be a decimal id"],
  ["groupManage.asyncGroupBab", [{ group_id: 1, user_list: [2] }], "duration is required"],
  ["groupManage.asyncGroupBab", [{ group_id: 1, duration: 5 }], "core:user list must not be empty"],
  ["groupManage.asyncGroupUnban", [{ group_id: 1, user_list: 5 }], "user_list must be an array of ids"],
  ["groupManage.asyncGroupBannedList", [true], "group_id must be a number or a decimal string, got boolean"],
  ["groupManage.asyncGetMemberDisplayName", [{ group_id: 1, user_list: ["a"] }], "user_list[0] must be a decimal id"],
  ["groupManage.asyncUpdateDisplayName", [{ group_id: 1, value: 2 }], "value must be a string"],
  ["groupManage.asyncUpdateDisplayName", [{ group_id: 1 }], "value is required"],
  ["groupManage.asyncGetAnnouncementList", [], "group_id is required"],
  ["groupManage.asyncGetAnouncementById", [{ group_id: 1 }], "announcement_id is required"],
  ["groupManage.asyncAnnouncementEdit", [{ group_id: 1, title: 1, content: "c" }], "title must be a string"],
  ["groupManage.asyncAnnouncementEdit", [{ group_id: 1, content: "c" }], "title is required"],
  ["groupManage.asyncAnnouncementEdit", [{ group_id: 1, title: "t" }], "content is required"],
  ["groupManage.asyncAnnouncementEdit", [{ group_id: 1, title: "", content: "" }], "core:announcement needs a title or content"],
  ["groupManage.asyncAnouncementDelete", [{ group_id: 1, announcement_id: "x" }], "announcement_id must be a decimal id"],
  ["groupManage.asyncGetFileList", [[]], "group_id is required"],
  ["groupManage.asyncFileUpload", [{ group_id: 1, name: "a", size: -1, type: "t", url: "u" }], "size must be a non-negative integer id"],
  ["groupManage.asyncFileUpload", [{ group_id: 1, name: "a", type: "t", url: "u" }], "size is required"],
  ["groupManage.asyncFileUpload", [{ group_id: 1, name: "a", size: 1, url: "u" }], "type is required"],
  ["groupManage.asyncFileUpload", [{ group_id: 1, name: "a", size: 1, type: "t", url: "" }], "core:shared file needs a name and a URL"],
  ["groupManage.asyncFileDelete", [{ group_id: 1, file_list: [0] }], "file_list[0] must be a positive id"],
  ["sysManage.asyncGetUserAvatarUploadUrl", [], "noargs"],
  ["sysManage.asyncGetGroupAvatarUploadUrl", [{}], "group_id is required"],
  ["sysManage.asyncGetFileUploadChatFileUrl", [{ file_type: 100, to_type: 3, to_id: 1 }], "to_type must be an integer from 0 to 2"],
  ["sysManage.asyncGetFileUploadChatFileUrl", [{ file_type: 100, to_type: 1 }], "to_id is required"],
  ["sysManage.asyncGetFileUploadChatFileUrl", [{ file_type: 105, to_type: 1, to_id: 1 }], "core:file type must be 100-104 or 200-203"],
  ["sysManage.asyncGetFileUploadChatFileUrl", [{ file_type: 100, to_id: 1 }], "core:to type must be between 1 and 2"],
  ["sysManage.asyncFileUpload", [{ fileType: "image" }], "file must be a File, a Blob, a Uint8Array or a file path, got undefined"],
  ["sysManage.asyncFileUpload", [{ file: "p", processCallback: 1 }], "processCallback must be a function"],
  ["sysManage.asyncFileUpload", [{ file: "p", to_id: "x" }], "to_id must be a decimal id"],
  ["sysManage.asyncFileUpload", [{ file: "p", toType: "chat", fileType: "doc", to_id: 1 }], "core:unknown file type \"doc\""],
  ["sysManage.asyncFileUpload", [{ file: "p", toType: "chat", fileType: "file" }], "core:chat upload needs ToID"],
  ["sysManage.asyncFileUpload", [{ file: "p", toType: "groupAvatar" }], "core:group avatar upload needs GroupID"],
  ["sysManage.downloadAudio", [{ url: "u", processCallback: "f" }], "processCallback must be a function"],
  ["sysManage.downloadAudio", [{}], "core:url is required"],
  ["sysManage.getImage", [{ avatar: 1 }], "avatar must be a string"],
  ["sysManage.getImage", [{ avatar: "a", type: "user" }], 'type must be "roster" or "group"'],
  ["sysManage.getImage", [{ avatar: "a", thumbnail: "no" }], "thumbnail must be a boolean"],
  ["sysManage.getImage", ["a"], "the parameter must be an object, got string"],
  ["sysManage.getAudio", [{ url: 1 }], "url must be a string"],
  ["sysManage.getChatFile", [{ url: "u", params: 5 }], "params must be an object, got number"],
];

/** The methods that stay in the engine (jsbridge/*manage_js.go, tested by go test ./jsbridge). */
const engineMethods = {
  userManage: ["getToken", "getUid", "getAppid", "getDeviceSN", "deleteToken", "getConversationList", "asyncTokenUser", "asyncTokenId"],
  rosterManage: ["getRosterMessageByRid", "getUnreadCount", "readRosterMessage", "recallMessage", "deleteMessage", "unreadMessage", "appendMessageContent", "replaceMessage"],
  groupManage: ["getGruopMessage", "readGroupMessage", "recallMessage", "deleteMessage", "appendMessageContent", "replaceMessage", "getUnreadCount", "consumeGroupAtStatus"],
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
    await assert.rejects(async () => im[mgr][name](...args), (e) => {
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
  for (const mgr of ["userManage", "rosterManage", "groupManage"]) {
    for (const name of managerMethods[mgr]) {
      assert.ok(covered.has(`${mgr}.${name}`) || engineMethods[mgr].includes(name), `${mgr}.${name} has no bad-input case`);
    }
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

test("sysManage in TypeScript: upload slots and file URLs", async (t) => {
  const slot = `{"upload_url":"https://up.test/u","download_url":"https://ratel.test/file/download/chat?file_sign=S","oss_body_param":{"key":"k"}}`;
  const { im, platform } = client({
    "GET /file/upload/avatar/user": slot,
    "GET /file/upload/avatar/group": slot,
    "GET /file/upload/chat": `{"download_url":"d"}`,
  });
  t.after(() => im.close());
  assert.throws(() => im.sysManage.getAudio({ url: "x" }), (e) => e instanceof FlooError && /sysManage.getAudio: the SDK is still loading/.test(e.message));
  await assert.rejects(im.sysManage.asyncGetUserAvatarUploadUrl(), (e) => e.sdkName === "UserNotLogin");
  await tokenLogin(im);
  const last = (path) => platform.reqs.filter((r) => r.path === path).at(-1);

  assert.deepEqual(await im.sysManage.asyncGetUserAvatarUploadUrl(), JSON.parse(slot), "the slot as the server sent it");
  assert.deepEqual(await im.sysManage.asyncGetGroupAvatarUploadUrl({ group_id: "12345678901234567890" }), JSON.parse(slot));
  assert.deepEqual(last("/file/upload/avatar/group").query, { group_id: "12345678901234567890", "access-token": "tok" });
  await assert.rejects(im.sysManage.asyncGetFileUploadChatFileUrl({ file_type: 102, to_type: 2, to_id: 7 }),
    (e) => e.sdkName === "ServerInvalidUploadUrl" && e.source === "transport" && e.url === "https://ratel.test/file/upload/chat");
  assert.deepEqual(last("/file/upload/chat").query, { file_type: "102", to_id: "7", to_type: "2" });

  // Uploads: the slot, then the file itself to the platform transport with the slot's OSS fields,
  // progress serialized and completed; success only on {"data": true} or {"Status": "OK"}.
  platform.routes["GET /file/upload/chat"] = `{"upload_url":"https://up.test/u","download_url":"https://ratel.test/file/download/chat?file_sign=UP","oss_body_param":{"key":"k","policy":"p"}}`;
  const uploads = [];
  let answer = '{"Status":"OK"}';
  platform.http.upload = async (req, onProgress) => {
    uploads.push(req);
    onProgress(3, 6);
    onProgress(2, 6);
    onProgress(9);
    return { status: 200, headers: {}, body: enc.encode(answer) };
  };
  const blob = new Blob(["abcdef"], { type: "text/plain" });
  const calls = [];
  const up = await im.sysManage.asyncFileUpload({ file: blob, fileType: "file", toType: "chat", to_id: 5, processCallback: (e) => calls.push([e.loaded, e.total]) });
  assert.deepEqual(up, { url: "https://ratel.test/file/download/chat?file_sign=UP" });
  assert.equal(uploads[0].file, blob, "the Blob itself reaches the transport");
  assert.equal(uploads[0].size, 6);
  assert.equal(uploads[0].contentType, "text/plain");
  assert.equal(uploads[0].fileField, "file");
  assert.deepEqual(uploads[0].fields, [["key", "k"], ["policy", "p"]]);
  assert.deepEqual(uploads[0].headers, { app_id: "mgr", "access-token": "tok" });
  assert.deepEqual(calls, [[3, 6], [6, 6]], "never backwards, capped, completed once");
  assert.deepEqual(last("/file/upload/chat").query, { file_type: "100", to_id: "5", to_type: "1" });
  await im.sysManage.asyncFileUpload({ file: "/tmp/x", fileType: "shareImage", toType: "chat", group_id: 7 });
  assert.deepEqual(last("/file/upload/chat").query, { file_type: "202", to_id: "7", to_type: "2" }, "shared files go to the group");
  answer = '{"code":200,"data":false}';
  await assert.rejects(im.sysManage.asyncFileUpload({ file: new Uint8Array(2), fileType: "image", toType: "chat", to_id: 5 }),
    (e) => e.sdkName === "ServerFileUploadUnknownError" && e.source === "transport" && e.url === "https://up.test/u" && /HTTP 200/.test(e.message));
  platform.http.upload = async () => {
    throw Object.assign(new Error("slow"), { name: "TimeoutError" });
  };
  await assert.rejects(im.sysManage.asyncFileUpload({ file: "/tmp/x", fileType: "image", toType: "chat", to_id: 5 }),
    (e) => e.sdkName === "ServerTimeOut" && e.url === "https://up.test/u");
  await assert.rejects(im.sysManage.asyncFileUpload({ file: "/tmp/x", toType: "other" }), (e) => e.sdkName === "InvalidFileUploadToType");

  // downloadAudio fetches the MP3 URL with the credentials; any failure is ServerFileDownloadFailure.
  platform.routes["GET /file/download/chat"] = `"x"`;
  const heard = [];
  const audio = await im.sysManage.downloadAudio({ url: "https://ratel.test/file/download/chat?file_sign=A", processCallback: (e) => heard.push([e.loaded, e.total]) });
  assert.ok(audio instanceof Uint8Array);
  assert.deepEqual(heard, [[audio.length, audio.length]]);
  assert.deepEqual(last("/file/download/chat").query, { file_sign: "A", format: "mp3", "access-token": "tok", app_id: "mgr" });
  const request = platform.http.request;
  platform.http.request = async (req) => (req.url.includes("/file/download/") ? { status: 404, headers: {}, body: new Uint8Array() } : request(req));
  await assert.rejects(im.sysManage.downloadAudio({ url: "https://ratel.test/file/download/chat?file_sign=B" }),
    (e) => e.sdkName === "ServerFileDownloadFailure" && /HTTP 404/.test(e.message) && e.url.endsWith("file_sign=B&format=mp3&access-token=tok&app_id=mgr"));
  platform.http.request = request;

  // File URLs carry the token and app id; object names become ratel avatar URLs.
  assert.equal(im.sysManage.getImage({ avatar: "a b.png" }), "https://ratel.test/file/download/avatar?object_name=a%20b.png&image_type=2&access-token=tok&app_id=mgr");
  assert.equal(im.sysManage.getImage({ avatar: "a.png", thumbnail: false, type: "group" }), "https://ratel.test/file/download/avatar?object_name=a.png&access-token=tok&app_id=mgr");
  assert.equal(im.sysManage.getImage({ avatar: "https://ratel.test/file/download/avatar?object_name=x" }),
    "https://ratel.test/file/download/avatar?object_name=x&image_type=2&access-token=tok&app_id=mgr");
  assert.equal(im.sysManage.getImage({ avatar: "http://cdn.test/a.png?app_id=9" }), "http://cdn.test/a.png?app_id=9&access-token=tok");
  assert.equal(im.sysManage.getImage({ sdefault: "d.png" }), "d.png");
  assert.equal(im.sysManage.getAudio({ url: "https://x.test/a" }), "https://x.test/a?format=mp3&access-token=tok&app_id=mgr");
  assert.equal(im.sysManage.getAudio({ url: "https://x.test/a?format=amr&access-token=old" }), "https://x.test/a?format=amr&access-token=old&app_id=mgr");
  assert.equal(im.sysManage.getAudio({}), "");
  assert.equal(im.sysManage.getChatFile({ url: "https://x.test/f", params: { w: 10, "n!": "(x)" } }), "https://x.test/f?w=10&n%21=%28x%29&access-token=tok&app_id=mgr");
  assert.equal(im.sysManage.getChatFile({ url: "" }), "");
});

test("groupManage in TypeScript: official requests, shapes and the group caches", async (t) => {
  const { im, platform } = client({
    "GET /group/info": `{"group_id":7,"name":"robots","read_ack":true,"owner_id":1001}`,
    "GET /group/member_list": `[{"user_id":1001,"display_name":"me"},{"user_id":5,"join_time":1700000000000}]`,
    "POST /group/kick": `[{"user_id":5,"result":"success","reason":""}]`,
    "POST /group/settings/ban_all": `{"ban_expire_time":1700000060000}`,
    "POST /group/msg/mute_mode": "null",
    "POST /group/info/name": "true",
    "POST /group/create": `{"group_id":9,"name":"new","owner_id":1001}`,
    "GET /group/user_joined": "[7]",
    "POST /group/leave": "true",
    "POST /group/info/batch": `[{"group_id":7,"name":"robots"},{"group_id":12345678901234567890,"name":"big"}]`,
    "POST /group/application_list": `[{"group_id":7,"applicant_id":5}]`,
    "POST /group/file/upload": `{"file_id":3,"name":"a.txt"}`,
  });
  t.after(() => im.close());
  await tokenLogin(im);
  const last = (path) => platform.reqs.filter((r) => r.path === path).at(-1);
  const count = (path) => platform.reqs.filter((r) => r.path === path).length;

  const info = { group_id: 7, name: "robots", read_ack: true, owner_id: 1001 };
  assert.deepEqual(await im.groupManage.asyncGetGroupInfo({ group_id: 7 }, true), info);
  assert.equal(last("/group/info").query.group_id, "7");
  assert.deepEqual(await im.groupManage.asyncGetGroupInfo(7), info);
  assert.equal(count("/group/info"), 1, "answered from the cache");

  // A group send with read receipts on lists the other members in config.groupMemberList: the
  // engine asks this cache, which fetches the member list it does not have yet.
  const statuses = [];
  im.on("onSendingMessageStatusChanged", (s) => statuses.push(s));
  const gmid = im.sysManage.sendGroupMessage({ gid: 7, content: "all" });
  assert.match(gmid, /^[1-9][0-9]+$/);
  for (let i = 0; i < 200 && !statuses.some((s) => s.mid === gmid); i++) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(statuses.find((s) => s.mid === gmid)?.message.config.groupMemberList, [5]);
  assert.equal(count("/group/member_list"), 1, "members fetched for the read receipts");
  assert.throws(() => im.sysManage.sendMentionMessage({ gid: "x", txt: "a" }), (e) => e.sdkName === "InvalidParam");

  const changes = [];
  im.on("onGroupMemberChanged", (gid) => changes.push(gid));
  assert.equal(await im.groupManage.openGroup(7), undefined);
  assert.deepEqual(changes, [7]);
  assert.deepEqual(await im.groupManage.asyncGetGroupMembers(7), [1001, 5]);
  assert.deepEqual(im.groupManage.getGroupMembers(7), [{ user_id: 1001, display_name: "me" }, { user_id: 5, join_time: 1700000000000 }]);
  assert.deepEqual(await im.groupManage.asyncKick({ group_id: 7, user_list: ["5"] }), [{ user_id: 5, result: "success", reason: "" }]);
  assert.equal(last("/group/kick").body, `{"group_id":7,"user_list":[5]}`, "ids go out as numbers");
  assert.deepEqual(im.groupManage.getGroupMembers(7), [{ user_id: 1001, display_name: "me" }], "the kick updated the cache");

  assert.deepEqual(await im.groupManage.asyncBanAll({ group_id: 7, duration: 1 }), { ban_expire_time: 1700000060000 });
  assert.equal(last("/group/settings/ban_all").body, `{"group_id":7,"duration":1}`);
  assert.equal(await im.groupManage.asyncGroupMsgMutemode({ group_id: 7, msg_mute_mode: 1 }), null);
  assert.equal(await im.groupManage.asyncUpdateName({ group_id: 7, value: "bots" }), true);
  assert.equal(last("/group/info/name").body, `{"group_id":7,"value":"bots"}`);
  // The login prefetch (user_joined, then info/batch) seeded the cache; the calls above updated it.
  assert.deepEqual(im.groupManage.getAllGroupDetail(), {
    7: { ...info, name: "bots", ban_expire_time: 1700000060000, msg_mute_mode: 1 },
    "12345678901234567890": { group_id: "12345678901234567890", name: "big" },
  });

  // The search finds the groups of this cache by name.
  assert.deepEqual(im.sysManage.makeSearch("BOT").groupArr, [{ group_id: 7, name: "bots" }]);

  // Joined ids: fetched once (by the login prefetch), then cached; create adds, leave drops.
  assert.deepEqual(await im.groupManage.asyncGetJoinedGroups(), [7]);
  assert.deepEqual(await im.groupManage.asyncCreate({ name: "new", user_list: [5] }), { group_id: 9, name: "new", owner_id: 1001 });
  assert.equal(last("/group/create").body, `{"name":"new","type":0,"user_list":[5]}`);
  assert.deepEqual(await im.groupManage.asyncGetJoinedGroups(), [7, 9]);
  assert.equal(count("/group/user_joined"), 1);
  assert.equal(await im.groupManage.asyncLeave(7), true);
  assert.equal(last("/group/leave").query.group_id, "7");
  assert.deepEqual(await im.groupManage.asyncGetJoinedGroups(), [9]);
  assert.deepEqual(im.groupManage.getGroupMembers(7), []);

  // Batches, paged lists and shared files.
  assert.deepEqual(await im.groupManage.asyncGetGroupListDetail([7, "12345678901234567890"]), [
    { group_id: 7, name: "robots" },
    { group_id: "12345678901234567890", name: "big" },
  ]);
  assert.equal(last("/group/info/batch").body, `{"group_list":[7,12345678901234567890]}`);
  assert.deepEqual(await im.groupManage.asncGetApplicationList({ group_list: [7], cursor: "c", limit: 10 }), [{ group_id: 7, applicant_id: 5 }]);
  assert.deepEqual(last("/group/application_list").query, { cursor: "c", limit: "10" });
  assert.equal(last("/group/application_list").body, `{"group_list":[7]}`);
  assert.deepEqual(await im.groupManage.asyncFileUpload({ group_id: 7, name: "a.txt", size: 0, type: "text/plain", url: "https://f/1" }), { file_id: 3, name: "a.txt" });
  assert.equal(last("/group/file/upload").body, `{"group_id":7,"name":"a.txt","size":0,"type":"text/plain","url":"https://f/1"}`);
});

test("rosterManage in TypeScript: official requests, shapes and the roster cache", async (t) => {
  const { im, platform } = client({
    "GET /roster/list": "[5]",
    "POST /roster/list": `[{"user_id":5,"username":"bob","nick_name":"Bob","relation":0,"future_field":12345678901234567890}]`,
    "GET /roster/name": `{"user_id":9,"username":"carol"}`,
    "POST /roster/block": { code: 10006, message: "blocked by the user" },
    "POST /roster/unblock": "true",
    "POST /roster/ext": "true",
    "POST /roster/delete": "true",
    "GET /roster/apply/list": `[{"user_id":9,"reason":"hi"}]`,
  });
  t.after(() => im.close());
  const infoUpdates = [];
  const listUpdates = [];
  im.on("onRosterInfoUpdate", (uids) => infoUpdates.push(uids));
  im.on("onRosterListUpdate", (n) => listUpdates.push(n));
  await tokenLogin(im);
  const last = (path) => platform.reqs.filter((r) => r.path === path).at(-1);
  const count = (path) => platform.reqs.filter((r) => r.path === path).length;

  assert.deepEqual(await im.rosterManage.asyncGetRosterIdList(true), [5]);
  const bob = { user_id: 5, username: "bob", nick_name: "Bob", relation: 0, future_field: "12345678901234567890" };
  assert.deepEqual(await im.rosterManage.asyncGetRosterInfo(5, true), bob);
  assert.equal(last("/roster/list").body, `{"list":[5]}`, "ids go out as numbers");
  assert.deepEqual(infoUpdates.at(-1), [5], "a fetched item is announced");
  assert.deepEqual(im.rosterManage.getRosterInfo("5"), bob);
  assert.equal(im.rosterManage.getRosterInfo(6), undefined);
  const fetches = count("/roster/list");
  assert.deepEqual(await im.rosterManage.asnycGetRosterListDetailByIds([5]), [bob]);
  assert.equal(count("/roster/list"), fetches, "answered from the cache");
  assert.deepEqual(await im.rosterManage.asyncSearchRosterByName({ username: "carol" }), { user_id: 9, username: "carol" });
  assert.equal(last("/roster/name").query.username, "carol");
  assert.deepEqual(await im.rosterManage.asyncGetApplyList({ limit: 10 }), [{ user_id: 9, reason: "hi" }]);
  assert.deepEqual(last("/roster/apply/list").query, { cursor: "", limit: "10" }, "the cursor is always sent");

  // REST business errors keep the server's code and the URL; the cache is left alone.
  await assert.rejects(im.rosterManage.asyncBlockeAdd({ user_id: 5 }), (e) => e.code === 10006 && e.source === "rest" && /\/roster\/block/.test(e.url));
  assert.equal(last("/roster/block").query.user_id, "5");
  assert.equal(await im.rosterManage.asyncBlockeRemove({ user_id: 5 }), true);
  assert.equal(im.rosterManage.getRosterInfo(5).relation, 0, "unblocked friends are friends");
  assert.equal(await im.rosterManage.asyncUpdateRosterAlias({ user_id: 5, alias: "B." }), true);
  assert.equal(last("/roster/ext").body, `{"user_id":5,"alias":"B."}`);
  assert.equal(im.rosterManage.getRosterInfo(5).alias, "B.");
  assert.deepEqual(infoUpdates.at(-1), [5]);

  // The search finds friends of this cache by user name, nickname or alias.
  assert.deepEqual(im.sysManage.makeSearch("b.").rosterArr, [{ user_id: 5, username: "B.", avatar: "" }]);
  assert.deepEqual(im.sysManage.makeSearch("zzz").rosterArr, []);

  // Deleting drops the friend here and, in the engine, the conversation; the engine announces it.
  assert.equal(await im.rosterManage.asyncDeleteRoster({ user_id: 5 }), true);
  assert.equal(last("/roster/delete").query.user_id, "5");
  assert.equal(im.rosterManage.getRosterInfo(5), undefined);
  assert.deepEqual(await im.rosterManage.asyncGetRosterIdList(), []);
  assert.deepEqual(im.rosterManage.getAllRosterDetail(), {});
  for (let i = 0; i < 100 && listUpdates.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(listUpdates.length, 1, "onRosterListUpdate after the delete");
});
