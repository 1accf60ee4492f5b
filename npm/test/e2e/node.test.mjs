// End-to-end tests of the packed package in Node against the real reference server: the package is
// installed from its tarball into a temporary project (harness.mjs), and two users register, log
// in, become friends, exchange one-to-one and group messages, read history, recall a message, send
// typing indicators and upload a file; every exported method is called with wrong-typed and
// missing arguments. Every wait is bounded and driven by SDK events; nothing sleeps.
//
// Run: node --test npm/test/e2e/node.test.mjs (scripts/test-e2e.sh runs it with the browser test).

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { after, before, test } from "node:test";

import { badInputTable, topLevelTable, topLevelWithoutParams } from "./badinput.mjs";
import {
  APP_ID,
  blackhole,
  cleanupAll,
  closedPort,
  ensureUser,
  getProject,
  loadPackage,
  NPM_DIR,
  outcome,
  preview,
  readJSON,
  Recorder,
  run,
  startServer,
  uniqueName,
  withTimeout,
} from "./harness.mjs";

const PASSWORD = "e2e-secret-1";

/** The events every client records. */
const EVENTS = [
  "loginSuccess", "loginFail", "logout", "flooNotice", "flooError", "onRosterMessage", "onGroupMessage",
  "onInputStatusMessage", "onReceiveHistoryMsg", "onSendingMessageStatusChanged", "onMessageRecalled",
  "onRosterApplied", "onRosterAccepted", "onRosterListUpdate", "onGroupJoined", "onGroupListUpdate",
  "onUnreadChange", "recentlistUpdate", "connectionStateChanged", "sessionError", "error",
];

/** Shared state of the sequential tests below. */
const ctx = {
  /** @type {string} */ project: "",
  /** @type {any} */ pkg: null,
  /** @type {import("./harness.mjs").ServerProcess} */ server: null,
  clients: [],
  users: {},
};

/** Config for a client of the test server; memory storage, so each client is a new device. */
function config(extra = {}) {
  return {
    appid: APP_ID,
    dnsServer: `${ctx.server.base}/v2/app_dns`,
    ws: true,
    websocket: ctx.pkg.WebSocket,
    autoLogin: false,
    logLevel: "error",
    platform: { storage: ctx.pkg.memoryStorage() },
    ...extra,
  };
}

/** A new client with a Recorder of EVENTS; closed after the tests. */
function client(extra) {
  const im = ctx.pkg.default(config(extra));
  const rec = new Recorder(im, EVENTS);
  ctx.clients.push(im);
  return { im, rec };
}

/** Same id, whether given as a number or a decimal string. */
function sameId(a, b) {
  return a !== undefined && a !== null && String(a) === String(b);
}

/**
 * Calls a method that should answer synchronously. A Promise where a value is documented is a
 * failure of its own, reported with what it settled to.
 */
async function syncCall(what, fn) {
  const v = fn();
  if (v && typeof v.then === "function") {
    const o = await outcome(() => v, 5_000);
    assert.fail(`${what} returned a Promise (settled: ${o.kind} ${o.error ? `${o.error.sdkName ?? o.error.name}: ${o.error.message}` : preview(o.value)}) instead of a value`);
  }
  return v;
}

/**
 * Calls a fire-and-forget operation (recall, read, history request, typing). The official client
 * returns nothing; a Promise is an acceptable extension, and then it must resolve.
 */
async function opCall(what, fn) {
  const v = fn();
  if (v && typeof v.then === "function") {
    const o = await outcome(() => v, 10_000);
    if (o.kind !== "resolve") assert.fail(`${what} returned a Promise that ${o.kind}s${o.error ? `: ${describeError(o.error)}` : ""}`);
    return o.value;
  }
  return v;
}

/** Describes an error for assertion messages. */
function describeError(e) {
  if (!e) return String(e);
  return `${e.constructor?.name ?? typeof e} ${e.sdkName ?? ""} ${e.code ?? ""} ${e.message ?? ""}`.trim();
}

/**
 * Waits for a login call to reject, and checks what a failed first login leaves: a FlooError of
 * `sdkName`, one loginFail, no session. Resolves with the error and the loginFail payload.
 */
async function loginFails(c, call, sdkName, ms = 15_000) {
  const err = await withTimeout(
    call.then(
      () => {
        throw new Error("the login succeeded");
      },
      (e) => e,
    ),
    ms,
    `the login to reject with ${sdkName}`,
  );
  assert.ok(err instanceof ctx.pkg.FlooError, describeError(err));
  assert.equal(err.sdkName, sdkName, describeError(err));
  const fail = await c.rec.wait("loginFail", () => true, 5_000);
  assert.equal(c.rec.all("loginFail").length, 1, "one loginFail");
  assert.equal(c.im.isLogin(), false);
  assert.equal(c.im.state(), "idle");
  return { err, fail };
}

/** Logs a client in by name and waits for loginSuccess. */
async function loginByName(c, name) {
  await withTimeout(c.im.login({ name, password: PASSWORD }), 20_000, `login of ${name}`);
  await c.rec.wait("loginSuccess", () => true, 5_000);
}

before(async () => {
  ctx.project = await getProject();
  ctx.pkg = await loadPackage(ctx.project);
  ctx.server = await startServer();
  ctx.users.alice = { name: uniqueName("alice") };
  ctx.users.bob = { name: uniqueName("bob") };
  ctx.users.mallory = { name: uniqueName("mallory") };
});

after(async () => {
  for (const im of ctx.clients) await im.close().catch(() => {});
  await cleanupAll();
});

test("the package installs from its tarball like any dependency", async () => {
  const installed = path.join(ctx.project, "node_modules/floo-wasm");
  const pkg = await readJSON(path.join(installed, "package.json"));
  const source = await readJSON(path.join(NPM_DIR, "package.json"));
  assert.equal(pkg.name, "floo-wasm");
  assert.equal(pkg.version, source.version);
  assert.deepEqual(Object.keys(pkg.dependencies ?? {}), [], "floo-wasm must have no runtime dependency");
  const app = await readJSON(path.join(ctx.project, "package.json"));
  assert.match(app.dependencies["floo-wasm"], /^file:.*\.tgz$/, "installed from the packed tarball");
  assert.equal(typeof ctx.pkg.default, "function", "default export flooim");
  assert.equal(ctx.pkg.default, ctx.pkg.flooim);
  assert.equal(typeof ctx.pkg.FlooError, "function");
  await ctx.pkg.initialize();
  assert.equal(globalThis.__flooWasm?.version, source.version, "the wasm is the build of this version");
});

test("register: userManage.asyncRegister creates users; a taken name is rejected", async () => {
  const c = client();
  try {
    for (const key of ["alice", "bob"]) {
      const u = ctx.users[key];
      const settings = await withTimeout(c.im.userManage.asyncRegister({ username: u.name, password: PASSWORD }), 15_000, "asyncRegister");
      assert.equal(typeof settings?.user_id, "number", `UserSettings.user_id, got ${preview(settings)}`);
      u.uid = settings.user_id;
    }
    assert.notEqual(ctx.users.alice.uid, ctx.users.bob.uid);
    await assert.rejects(c.im.userManage.asyncRegister({ username: ctx.users.alice.name, password: PASSWORD }), (e) => {
      assert.ok(e instanceof ctx.pkg.FlooError, describeError(e));
      assert.equal(e.source, "rest");
      assert.match(e.url ?? "", /\/user\/register\/v2/);
      assert.notEqual(e.code, 200);
      return true;
    });
  } finally {
    // Later tests need the users whatever happened above: create any missing one through REST.
    for (const key of ["alice", "bob", "mallory"]) {
      const u = ctx.users[key];
      u.uid ??= await ensureUser(ctx.server.base, u.name, PASSWORD);
    }
  }
});

test('CommonJS: require("floo-wasm") in a script of the project logs in', async () => {
  // A process of its own, so that it loads the CommonJS build rather than sharing this one's module.
  for (const u of Object.values(ctx.users)) u.uid ??= await ensureUser(ctx.server.base, u.name, PASSWORD);
  const script = `
    const { flooim, FlooError } = require("floo-wasm");
    const WebSocket = require("ws");
    const im = flooim({ appid: ${JSON.stringify(APP_ID)}, dnsServer: process.argv[1] + "/v2/app_dns", websocket: WebSocket, autoLogin: false, logLevel: "error" });
    im.login({ name: process.argv[2], password: process.argv[3] })
      .then(() => { console.log(JSON.stringify({ uid: im.userManage.getUid(), path: require.resolve("floo-wasm"), error: typeof FlooError })); return im.close(); })
      .then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
  `;
  const out = await run(process.execPath, ["-e", script, ctx.server.base, ctx.users.alice.name, PASSWORD], { cwd: ctx.project, timeoutMs: 60_000 });
  const got = JSON.parse(out.trim().split("\n").at(-1));
  assert.equal(String(got.uid), String(ctx.users.alice.uid));
  assert.match(got.path, /node_modules[\\/]floo-wasm[\\/]dist[\\/]cjs[\\/]index\.js$/);
  assert.equal(got.error, "function");
});

test("login: login() and idLogin() connect two users; a wrong password fails", async () => {
  const alice = client();
  const bob = client();
  ctx.alice = alice;
  ctx.bob = bob;
  assert.equal(alice.im.isLogin(), false);
  await loginByName(alice, ctx.users.alice.name);
  await withTimeout(bob.im.idLogin({ user_id: ctx.users.bob.uid, password: PASSWORD }), 20_000, "idLogin of bob");
  await bob.rec.wait("loginSuccess", () => true, 5_000);

  for (const [c, u] of [[alice, ctx.users.alice], [bob, ctx.users.bob]]) {
    assert.equal(c.im.isLogin(), true);
    assert.equal(c.im.isReady(), true);
    assert.equal(c.im.state(), "connected");
    assert.ok(sameId(c.im.userManage.getUid(), u.uid), `getUid() = ${c.im.userManage.getUid()}, want ${u.uid}`);
    assert.equal(typeof c.im.userManage.getToken(), "string");
    assert.ok(c.im.userManage.getToken().length > 0, "getToken()");
    assert.equal(c.im.userManage.getAppid(), APP_ID);
    assert.ok(c.im.userManage.getDeviceSN() > 0, "getDeviceSN()");
    assert.equal(c.im.sysManage.getServers().ratel.replace(/\/$/, ""), ctx.server.base);
    assert.ok(c.rec.all("flooNotice", (n) => n.category === "loginMessage").length > 0, "loginMessage progress notices");
  }

  const eve = client();
  await assert.rejects(eve.im.login({ name: ctx.users.alice.name, password: "wrong-password" }), (e) => {
    assert.ok(e instanceof ctx.pkg.FlooError, describeError(e));
    return true;
  });
  const fail = await eve.rec.wait("loginFail", () => true, 5_000);
  assert.equal(typeof fail, "string");
  assert.match(fail, /^token failure:/);
  assert.equal(eve.im.isLogin(), false);
});

test("login settles: an unreachable DNS, a refused or a silent server reject with their codes and fire loginFail", async () => {
  const closed = await closedPort();
  const hole = await blackhole();
  const alice = ctx.users.alice;
  // The default login timeout (30 s) runs against a blackhole meanwhile.
  const slow = client({ dnsServer: `http://127.0.0.1:${hole}/v2/app_dns` });
  const slowLogin = loginFails(slow, slow.im.login({ name: alice.name, password: PASSWORD }), "SignInTimeout", 45_000);
  slowLogin.catch(() => {}); // awaited at the end

  const short = { loginTimeout: 3_000 };
  // (a) The DNS URL is a closed port, or a host name that does not resolve: three failed lookups.
  for (const dnsServer of [`http://127.0.0.1:${closed}/v2/app_dns`, "http://floo-e2e.invalid/v2/app_dns"]) {
    const c = client({ ...short, dnsServer });
    const { err, fail } = await loginFails(c, c.im.login({ name: alice.name, password: PASSWORD }), "ServerDNSFailed");
    assert.equal(fail, "socket_failure");
    assert.ok(err.message.startsWith(`DNS lookup failed: ${dnsServer}: `), err.message);
    assert.equal(c.rec.all("flooError", (e) => e.category === "DNS_FAILED").length, 3, "DNS_FAILED for each failed lookup");
  }

  // (b) A real server whose DNS reply points at a closed port: the token request, and the WebSocket
  // of a token login, are refused.
  const refusing = await startServer({ publicURL: `http://127.0.0.1:${closed}` });
  {
    const c = client({ ...short, dnsServer: `${refusing.base}/v2/app_dns` });
    const { err } = await loginFails(c, c.im.tokenLogin(alice.uid, "a-token"), "ServerConnectFailed");
    assert.ok(err.message.startsWith(`cannot connect to ws://127.0.0.1:${closed}: `), err.message);
    assert.equal(await c.rec.wait("loginFail"), "socket_failure");
  }
  {
    const c = client({ ...short, dnsServer: `${refusing.base}/v2/app_dns` });
    const { err, fail } = await loginFails(c, c.im.login({ name: alice.name, password: PASSWORD }), "ServerConnectFailed");
    assert.ok(err.message.startsWith(`cannot connect to http://127.0.0.1:${closed}/token/user: `), err.message);
    assert.equal(fail, `token failure:${err.message}`);
  }

  // (c) A blackhole, as the DNS URL and as the server: the login timeout ends the login.
  {
    const c = client({ ...short, dnsServer: `http://127.0.0.1:${hole}/v2/app_dns` });
    const t0 = performance.now();
    const { err, fail } = await loginFails(c, c.im.login({ name: alice.name, password: PASSWORD }), "SignInTimeout");
    assert.ok(performance.now() - t0 >= 2_900, "not before loginTimeout");
    assert.ok(err.message.startsWith("login did not complete within 3000ms"), err.message);
    assert.equal(fail, "socket_failure");
  }
  const silent = await startServer({ publicURL: `http://127.0.0.1:${hole}` });
  {
    const c = client({ ...short, dnsServer: `${silent.base}/v2/app_dns` });
    const { err } = await loginFails(c, c.im.tokenLogin(alice.uid, "a-token"), "SignInTimeout");
    assert.ok(err.message.startsWith("login did not complete within 3000ms"), err.message);
  }

  const { err } = await slowLogin;
  assert.ok(err.message.startsWith("login did not complete within 30000ms"), `the default is 30 s: ${err.message}`);
  await Promise.all([refusing.stop(), silent.stop()]);
});

test("roster: apply, the applicant is notified of the acceptance, both lists updated", async () => {
  const { alice, bob, users } = ctx;
  await withTimeout(alice.im.rosterManage.asyncApply({ user_id: users.bob.uid, alias: "bob", reason: "e2e" }), 10_000, "asyncApply");
  const applied = await bob.rec.wait("onRosterApplied", (n) => sameId(n.payload?.from?.uid, users.alice.uid) || sameId(n.from?.uid, users.alice.uid), 10_000);
  assert.equal(typeof applied.id, "string", "notice meta ids are decimal strings");

  const applications = await bob.im.rosterManage.asyncGetApplyList({ cursor: "" });
  assert.ok(Array.isArray(applications), preview(applications));
  assert.ok(applications.some((a) => sameId(a.user_id, users.alice.uid)), `apply list ${preview(applications)}`);

  await withTimeout(bob.im.rosterManage.asyncAccept({ user_id: users.alice.uid }), 10_000, "asyncAccept");
  await alice.rec.wait("onRosterAccepted", () => true, 10_000);

  const aliceFriends = await alice.im.rosterManage.asyncGetRosterIdList(true);
  const bobFriends = await bob.im.rosterManage.asyncGetRosterIdList(true);
  assert.ok(aliceFriends.some((id) => sameId(id, users.bob.uid)), `alice's roster ${preview(aliceFriends)}`);
  assert.ok(bobFriends.some((id) => sameId(id, users.alice.uid)), `bob's roster ${preview(bobFriends)}`);

  const info = await alice.im.rosterManage.asyncGetRosterInfo(users.bob.uid, true);
  assert.equal(info.username, users.bob.name);
  assert.ok(sameId(info.user_id, users.bob.uid));
  assert.equal(info.relation, 0, "friend");
  const cached = await syncCall("rosterManage.getRosterInfo", () => alice.im.rosterManage.getRosterInfo(users.bob.uid));
  assert.equal(cached?.username, users.bob.name, "getRosterInfo reads the cache filled by asyncGetRosterInfo");
});

test("roster messages: both ways, with send status, local store, conversation list and unread", async () => {
  const { alice, bob, users } = ctx;
  const cmid = await syncCall("sysManage.sendRosterMessage", () => alice.im.sysManage.sendRosterMessage({ uid: users.bob.uid, content: "hello bob" }));
  assert.ok(["string", "number"].includes(typeof cmid) && String(cmid) !== "" && String(cmid) !== "0", `client_mid ${preview(cmid)}`);
  const sent = await alice.rec.wait("onSendingMessageStatusChanged", (s) => sameId(s.mid, cmid) && s.status === "sent", 10_000, "status sent");
  assert.ok(alice.rec.all("onSendingMessageStatusChanged", (s) => sameId(s.mid, cmid) && s.status === "failed").length === 0);

  const got = await bob.rec.wait("onRosterMessage", (m) => m.content === "hello bob", 10_000);
  assert.equal(got.type, "text");
  assert.equal(got.toType, "roster");
  assert.equal(got.from, String(users.alice.uid));
  assert.equal(got.to, String(users.bob.uid));
  assert.match(got.id, /^[1-9][0-9]*$/, "server message id as a decimal string");
  assert.match(got.timestamp, /^[0-9]+$/);
  assert.equal(got.isHistory, false);
  if (sent.message) assert.equal(sent.message.id, got.id, "the sent status carries the stored message");
  ctx.firstMessage = got;

  // Own sends are confirmed through onRosterMessage too.
  await alice.rec.wait("onRosterMessage", (m) => m.content === "hello bob" && m.from === String(users.alice.uid), 10_000, "own message confirmed");

  await syncCall("sysManage.sendRosterMessage", () => bob.im.sysManage.sendRosterMessage({ uid: users.alice.uid, content: "hello alice", ext: '{"k":1}' }));
  const reply = await alice.rec.wait("onRosterMessage", (m) => m.content === "hello alice", 10_000);
  assert.equal(reply.from, String(users.bob.uid));
  assert.equal(reply.ext, '{"k":1}');

  const stored = await syncCall("rosterManage.getRosterMessageByRid", () => alice.im.rosterManage.getRosterMessageByRid(users.bob.uid));
  assert.deepEqual(
    stored.filter((m) => m.content.startsWith("hello")).map((m) => m.content),
    ["hello bob", "hello alice"],
    "the local store holds both messages, oldest first",
  );
  const list = await syncCall("userManage.getConversationList", () => alice.im.userManage.getConversationList());
  const entry = list.find((c) => sameId(c.id, users.bob.uid));
  assert.ok(entry, `conversation list ${preview(list)}`);
  assert.equal(entry.type, "roster");

  const unread = await syncCall("rosterManage.getUnreadCount", () => bob.im.rosterManage.getUnreadCount(users.alice.uid));
  assert.ok(unread >= 1, `bob's unread count ${unread}`);
  await opCall("rosterManage.readRosterMessage", () => bob.im.rosterManage.readRosterMessage(users.alice.uid));
  assert.equal(bob.im.rosterManage.getUnreadCount(users.alice.uid), 0, "read all");
});

test("group: create with a member, messages fan out both ways", async () => {
  const { alice, bob, users } = ctx;
  const info = await withTimeout(alice.im.groupManage.asyncCreate({ name: "e2e group", user_list: [users.bob.uid] }), 10_000, "asyncCreate");
  assert.equal(typeof info?.group_id, "number", `GroupInfo ${preview(info)}`);
  const gid = info.group_id;
  ctx.gid = gid;
  assert.equal(info.name, "e2e group");

  const members = await alice.im.groupManage.asyncGetMemberList(gid);
  const memberIds = members.map((m) => (typeof m === "object" ? m.user_id : m));
  assert.ok(memberIds.some((id) => sameId(id, users.bob.uid)), `members ${preview(members)}`);
  const joined = await bob.im.groupManage.asyncGetJoinedGroups(true);
  assert.ok(joined.some((g) => sameId(typeof g === "object" ? g.group_id : g, gid)), `bob's groups ${preview(joined)}`);

  const cmid = await syncCall("sysManage.sendGroupMessage", () => alice.im.sysManage.sendGroupMessage({ gid, content: "hello group" }));
  assert.ok(String(cmid) !== "", "client_mid");
  const got = await bob.rec.wait("onGroupMessage", (m) => m.content === "hello group", 10_000);
  assert.equal(got.toType, "group");
  assert.equal(got.to, String(gid));
  assert.equal(got.from, String(users.alice.uid));
  await alice.rec.wait("onSendingMessageStatusChanged", (s) => sameId(s.mid, cmid) && s.status === "sent", 10_000, "group send status");

  await syncCall("sysManage.sendGroupMessage", () => bob.im.sysManage.sendGroupMessage({ gid, content: "hello from bob" }));
  await alice.rec.wait("onGroupMessage", (m) => m.content === "hello from bob" && m.from === String(users.bob.uid), 10_000);
  const stored = await syncCall("groupManage.getGruopMessage", () => alice.im.groupManage.getGruopMessage(gid));
  assert.deepEqual(
    stored.map((m) => m.content).filter((c) => c.startsWith("hello")),
    ["hello group", "hello from bob"],
  );
});

test("history: a new device of alice pages back through both conversations", async () => {
  const { users } = ctx;
  const alice2 = client();
  await loginByName(alice2, users.alice.name);

  await opCall("sysManage.requireHistoryMessage", () => alice2.im.sysManage.requireHistoryMessage(users.bob.uid, 0, 20));
  const page = await alice2.rec.wait("onReceiveHistoryMsg", () => true, 10_000);
  assert.ok(page && "next" in page, `onReceiveHistoryMsg payload ${preview(page)}`);
  assert.equal(typeof page.next, "string", "next is a decimal string (JSAPI.md §14)");
  const history = alice2.rec.all("onRosterMessage", (m) => m.isHistory === true).map((m) => m.content);
  for (const c of ["hello bob", "hello alice"]) assert.ok(history.includes(c), `history ${preview(history)} lacks ${c}`);

  if (ctx.gid !== undefined) {
    await opCall("sysManage.requireHistoryMessage", () => alice2.im.sysManage.requireHistoryMessage(ctx.gid, 0, 20));
    await alice2.rec.waitN("onReceiveHistoryMsg", 2, () => true, 10_000);
    const groupHistory = alice2.rec.all("onGroupMessage", (m) => m.isHistory === true).map((m) => m.content);
    for (const c of ["hello group", "hello from bob"]) assert.ok(groupHistory.includes(c), `group history ${preview(groupHistory)} lacks ${c}`);
  }
  await alice2.im.logout();
});

test("offline sync: onUnreadChange and recentlistUpdate once per page, after the page's messages", async () => {
  const { alice, users } = ctx;
  // A device of bob registers and goes away; 60 messages from alice then wait for it. The
  // reference server pages a sync by 50 messages, so they come in two pages: one onUnreadChange
  // for alice's conversation after the 50th message and one after the 60th (one per message
  // before the events were coalesced), and at most one recentlistUpdate per page.
  const storage = ctx.pkg.memoryStorage();
  const first = client({ platform: { storage } });
  await loginByName(first, users.bob.name);
  await first.im.close();
  const n = 60;
  const mids = [];
  for (let i = 0; i < n; i++) {
    mids.push(String(alice.im.sysManage.sendRosterMessage({ uid: users.bob.uid, content: `offline-${String(i).padStart(2, "0")}` })));
  }
  await alice.rec.waitN("onSendingMessageStatusChanged", n, (st) => st.status === "sent" && mids.includes(String(st.mid)), 20_000, "the sends acknowledged");

  const again = client({ platform: { storage } });
  await loginByName(again, users.bob.name);
  const fromAlice = (m) => sameId(m.from, users.alice.uid) && m.content.startsWith("offline-");
  await again.rec.waitN("onRosterMessage", n, fromAlice, 20_000, "the offline messages");
  // The events of the last page follow its last message; a later live message follows them.
  alice.im.sysManage.sendRosterMessage({ uid: users.bob.uid, content: "after the sync" });
  await again.rec.wait("onRosterMessage", (m) => m.content === "after the sync", 10_000);

  let msgs = 0;
  let recent = 0;
  const unreadAt = [];
  const contents = [];
  for (const { name, payload } of again.rec.records) {
    if (name === "onRosterMessage" && payload.content === "after the sync") break;
    if (name === "onRosterMessage" && fromAlice(payload)) {
      msgs++;
      contents.push(payload.content);
    } else if (name === "onUnreadChange" && sameId(payload, users.alice.uid) && msgs > 0) {
      unreadAt.push(msgs);
    } else if (name === "recentlistUpdate" && msgs > 0) {
      recent++;
    }
  }
  assert.deepEqual(contents, mids.map((_, i) => `offline-${String(i).padStart(2, "0")}`), "one event per message, in order");
  assert.deepEqual(unreadAt, [50, 60], "one onUnreadChange per page, after its messages");
  assert.ok(recent >= 1 && recent <= 2, `${recent} recentlistUpdate events for two pages`);
  assert.equal(again.im.rosterManage.getUnreadCount(users.alice.uid), n + 1, "the final unread count");
});

test("recall: the recipient is told which message was recalled", async () => {
  const { alice, bob, users } = ctx;
  await syncCall("sysManage.sendRosterMessage", () => alice.im.sysManage.sendRosterMessage({ uid: users.bob.uid, content: "to be recalled" }));
  const m = await bob.rec.wait("onRosterMessage", (x) => x.content === "to be recalled", 10_000);
  await opCall("rosterManage.recallMessage", () => alice.im.rosterManage.recallMessage(users.bob.uid, m.id));
  const recalled = await bob.rec.wait("onMessageRecalled", (r) => r.mid === m.id, 10_000, `onMessageRecalled of ${m.id}`);
  assert.ok(sameId(recalled.uid, users.alice.uid), `recalled.uid ${recalled.uid}`);
  assert.equal(typeof recalled.mid, "string", "mid is a decimal string (JSAPI.md §14)");
});

test("typing: sendInputStatusMessage reaches the peer as onInputStatusMessage", async () => {
  const { alice, bob, users } = ctx;
  const before = bob.rec.all("onInputStatusMessage").length;
  await opCall("sysManage.sendInputStatusMessage", () => alice.im.sysManage.sendInputStatusMessage(users.bob.uid, "typing"));
  const typing = await bob.rec.wait("onInputStatusMessage", (t) => sameId(t.from, users.alice.uid), 10_000);
  assert.ok(sameId(typing.to, users.bob.uid), preview(typing));
  await opCall("sysManage.sendInputStatusMessage", () => alice.im.sysManage.sendInputStatusMessage(users.bob.uid, "nothing"));
  await bob.rec.waitN("onInputStatusMessage", before + 2, () => true, 10_000);
  const [t1, t2] = bob.rec.all("onInputStatusMessage").slice(before);
  assert.notEqual(t1.ext, t2.ext, "typing and nothing differ in ext");
});

test("upload: asyncFileUpload reports progress, the file downloads intact and travels in a message", async () => {
  const { alice, bob, users } = ctx;
  const bytes = randomBytes(256 * 1024);
  const progress = [];
  const res = await withTimeout(
    alice.im.sysManage.asyncFileUpload({
      file: new Blob([bytes], { type: "application/octet-stream" }),
      fileType: "file",
      toType: "chat",
      to_id: users.bob.uid,
      chatType: "roster",
      processCallback: (p) => progress.push(p),
    }),
    20_000,
    "asyncFileUpload",
  );
  assert.equal(typeof res?.url, "string", `upload result ${preview(res)}`);
  assert.ok(progress.length >= 1, "processCallback called");
  const last = progress.at(-1);
  assert.equal(last.loaded, last.total, `final progress ${preview(last)}`);
  assert.ok(last.total >= bytes.length, `total ${last.total} covers the file`);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i].loaded >= progress[i - 1].loaded, "progress never goes back");

  const url = await syncCall("sysManage.getChatFile", () => alice.im.sysManage.getChatFile({ url: res.url }));
  assert.match(url, /access-token=/);
  const dl = await fetch(url);
  assert.equal(dl.status, 200);
  assert.ok(Buffer.from(await dl.arrayBuffer()).equals(bytes), "downloaded bytes equal the uploaded ones");

  await syncCall("sysManage.sendRosterMessage", () =>
    alice.im.sysManage.sendRosterMessage({ uid: users.bob.uid, type: "file", content: "", attachment: { url: res.url, dName: "e2e.bin", fLen: bytes.length } }),
  );
  const m = await bob.rec.wait("onRosterMessage", (x) => x.type === "file", 10_000);
  assert.equal(m.attach?.url, res.url);
  assert.equal(m.attach?.dName, "e2e.bin");
});

/**
 * Checks one call of the bad-input table; returns a problem description or null. `accept` lists
 * the SDK code names that count as the right rejection.
 */
async function checkBadCall(FlooError, kind, fn, accept = ["InvalidParam"]) {
  const o = await outcome(fn, 3_000);
  const isInvalidParam = (e) => e instanceof FlooError && accept.includes(e.sdkName) && e.source === "client";
  const got = () =>
    o.kind === "throw" || o.kind === "reject" ? `${o.kind}s ${describeError(o.error)}${o.error?.source ? ` (source ${o.error.source})` : ""}` : o.kind === "pending" ? "never settles" : `${o.kind}s ${preview(o.value, 160)}`;
  switch (kind) {
    case "async":
      if (o.kind === "reject" && isInvalidParam(o.error)) return null;
      return `got: ${got()}; want: a Promise rejecting with FlooError InvalidParam (source client)`;
    case "sync":
      if ((o.kind === "throw" || o.kind === "reject") && isInvalidParam(o.error)) return null;
      return `got: ${got()}; want: a thrown FlooError InvalidParam (source client)`;
    case "get":
      if ((o.kind === "throw" || o.kind === "reject") && isInvalidParam(o.error)) return null;
      if (o.kind === "return" && isEmptyish(o.value)) return null;
      return `got: ${got()}; want: a thrown FlooError InvalidParam, or undefined/null`;
    case "rtc":
      if (o.kind === "reject" && o.error instanceof FlooError && o.error.sdkName === "ServerRtcNotOpen") return null;
      return `got: ${got()}; want: a Promise rejecting with FlooError ServerRtcNotOpen`;
  }
  throw new Error(`unknown kind ${kind}`);
}

/**
 * Collects bad-input problems and renders them one line per method and outcome, so a method that
 * is not wired at all takes one line, not twenty.
 */
class ProblemReport {
  /** @type {Map<string, string[]>} "where\0problem" → rendered argument lists */
  #byKey = new Map();
  /** Problems that are not about one call. */
  other = [];
  count = 0;

  add(where, args, problem) {
    this.count++;
    const key = `${where}\0${problem}`;
    if (!this.#byKey.has(key)) this.#byKey.set(key, []);
    this.#byKey.get(key).push(`(${renderArgs(args)})`);
  }

  lines() {
    const out = [];
    for (const [key, calls] of this.#byKey) {
      const [where, problem] = key.split("\0");
      const shown = calls.length <= 3 ? calls.join(" ") : `${calls.slice(0, 3).join(" ")} and ${calls.length - 3} more`;
      out.push(`${where} ${shown}: ${problem}`);
    }
    this.count += this.other.length;
    return [...out, ...this.other];
  }
}

/** Nothing found: undefined, null, "", 0, [], or an object of such values. */
function isEmptyish(v) {
  if (v === undefined || v === null || v === "" || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.values(v).every(isEmptyish);
  return false;
}

/** Renders an argument list for the report. */
function renderArgs(args) {
  return args
    .map((a) => {
      if (typeof a === "function") return "fn";
      if (typeof Blob !== "undefined" && a instanceof Blob) return "Blob";
      if (a === undefined) return "undefined";
      return JSON.stringify(a, (_k, v) => (typeof v === "function" ? "fn" : typeof Blob !== "undefined" && v instanceof Blob ? "Blob" : v));
    })
    .join(", ");
}

test("bad inputs: every exported method rejects wrong-typed and missing arguments; the instance keeps working", async () => {
  const { users } = ctx;
  // A user of its own, so that a call that slips through validation cannot disturb alice and bob.
  const mal = client();
  await loginByName(mal, users.mallory.name);
  const bctx = {
    peer: users.bob.uid,
    gid: ctx.gid ?? 1,
    mid: ctx.firstMessage?.id ?? "1",
    message: ctx.firstMessage ?? { id: "1", from: String(users.alice.uid), to: String(users.bob.uid), content: "x", type: "text", ext: "" },
    blob: new Blob([new Uint8Array(8)]),
  };
  const { FlooError, managerMethods } = ctx.pkg;
  const table = badInputTable(bctx);
  const report = new ProblemReport();
  const problems = report.other;
  let calls = 0;

  // The table covers exactly the published method names.
  for (const [manager, names] of Object.entries(managerMethods)) {
    const listed = Object.keys(table[manager] ?? {});
    const missing = names.filter((n) => !listed.includes(n));
    const extra = listed.filter((n) => !names.includes(n));
    assert.deepEqual(missing, [], `${manager}: methods without bad-input rows`);
    assert.deepEqual(extra, [], `${manager}: rows for methods the package does not list`);
  }

  const ensureSession = async (where) => {
    if (mal.im.isLogin() && mal.im.state() === "connected") return;
    problems.push(`${where}: the session was ended or dropped (isLogin ${mal.im.isLogin()}, state ${mal.im.state()}); logging in again`);
    await loginByName(mal, users.mallory.name).catch((e) => problems.push(`re-login failed: ${describeError(e)}`));
  };

  for (const [manager, methods] of Object.entries(table)) {
    for (const [name, row] of Object.entries(methods)) {
      const where = `${manager}.${name}`;
      if (typeof mal.im[manager]?.[name] !== "function") {
        problems.push(`${where}: not a function`);
        continue;
      }
      for (const args of row.args) {
        calls++;
        const p = await checkBadCall(FlooError, row.kind, () => mal.im[manager][name](...args), row.accept);
        if (p) report.add(where, args, p);
      }
      await ensureSession(where);
    }
  }

  const top = topLevelTable(bctx);
  for (const [name, row] of Object.entries(top)) {
    for (const args of row.args) {
      calls++;
      const p = await checkBadCall(FlooError, row.kind, () => mal.im[name](...args), row.accept);
      if (p) report.add(`im.${name}`, args, p);
    }
    await ensureSession(`im.${name}`);
  }
  for (const name of topLevelWithoutParams) assert.equal(typeof mal.im[name], "function", `im.${name}`);

  // Bad configurations: flooim() returns a client whose ready() rejects, or throws.
  for (const bad of [{ appid: 42 }, { dnsServer: 42 }, { logLevel: "loud" }, { requestTimeout: "soon" }, { tabs: "many" }]) {
    calls++;
    let im;
    const o = await outcome(() => {
      im = ctx.pkg.default({ ...config(), ...bad });
      return im.ready();
    }, 5_000);
    await im?.close().catch(() => {});
    if (!((o.kind === "throw" || o.kind === "reject") && o.error instanceof FlooError && o.error.sdkName === "InvalidParam")) {
      report.add("flooim", [bad], `ready() ${o.kind}s ${o.error ? describeError(o.error) : preview(o.value, 80)}; want: FlooError InvalidParam`);
    }
  }

  // The instance still works: a message reaches bob, a REST call answers.
  await ensureSession("after the table");
  const content = `still alive ${Date.now()}`;
  const sent = await outcome(() => mal.im.sysManage.sendRosterMessage({ uid: users.bob.uid, content }), 3_000);
  if (sent.kind !== "return") problems.push(`after the table: sendRosterMessage ${sent.kind}s ${describeError(sent.error)}`);
  const got = ctx.bob.rec.wait("onRosterMessage", (m) => m.content === content, 10_000, "mallory's message after the table");
  const profile = mal.im.userManage.asyncGetProfile();
  const [m, prof] = await Promise.allSettled([got, profile]);
  if (m.status === "rejected") problems.push(`after the table: ${m.reason.message}`);
  if (prof.status === "rejected") problems.push(`after the table: userManage.asyncGetProfile() rejects ${describeError(prof.reason)}`);
  else if (prof.value?.username !== users.mallory.name) problems.push(`after the table: asyncGetProfile() = ${preview(prof.value)}`);

  const lines = report.lines();
  console.log(`bad inputs: ${calls} calls, ${report.count} misbehaved`);
  assert.ok(lines.length === 0, `${report.count} of ${calls} bad-input calls misbehaved:\n${lines.join("\n")}`);
});

test("logout: the session ends, the logout event fires, and getters reset", async () => {
  for (const c of [ctx.alice, ctx.bob]) {
    // Nothing went wrong inside the SDK along the way (the error event reports internal failures
    // such as an event that could not be converted; flooError reports session-level errors).
    assert.deepEqual(c.rec.all("error").map(describeError), [], "error events");
    assert.deepEqual(c.rec.all("flooError"), [], "flooError events");
    await withTimeout(c.im.logout(), 10_000, "logout");
    await c.rec.wait("logout", () => true, 5_000);
    assert.equal(c.im.isLogin(), false);
    assert.equal(c.im.userManage.getToken(), "");
    assert.notEqual(c.im.state(), "connected");
  }
});
