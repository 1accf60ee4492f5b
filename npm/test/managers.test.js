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
