// End-to-end test of shared tabs (`tabs: "shared"`, docs/tabs.md) in headless Chromium against the
// real reference server: one browser context, several pages of one user = tabs of one browser
// profile. Three tabs hold one server connection (GET /api/health counts them); a message from
// another user appears in all three; one sent from a follower tab appears in the others as the
// user's own; a follower's makeSearch answers as the leader's, its markMessageUnread with the
// message, and its upload's progress callback runs; the leader tab closed in the middle of a follower's burst of 200 sends, then one
// closed right after handing a burst of 200 of its own to the SDK: every send reaches the peer
// exactly once and in order, and no tab shows one twice; a login as another user
// is refused; logout in one tab ends all of them. Without the option tabs share too, while a
// second client in one page and `tabs: "independent"` run on their own. The bad-input table of the Node test
// (badinput.mjs) passes through a follower tab. A leader tab that stops answering (hung, or frozen
// by the browser) is replaced, and once it runs again it follows without having touched the stored
// session. Figures printed: the handovers (leader closed or hung → the new leader connected).
//
// Run: node --test --test-force-exit npm/test/e2e/tabs.test.mjs (scripts/test-e2e.sh runs it).
// FLOO_E2E_TABS_DEBUG=1 prints every console message of the pages.

import assert from "node:assert/strict";
import { copyFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";

import { APP_ID, befriend, cleanupAll, delay, ensureUser, getProject, launchChromium, loadPackage, makeWebDir, Recorder, restToken, startServer, uniqueName } from "./harness.mjs";

const PASSWORD = "e2e-secret-1";
const BURST = 200;
const DEBUG = process.env.FLOO_E2E_TABS_DEBUG;

const ctx = { project: "", pkg: null, browser: null, server: null, bob: null, pageErrors: [] };

async function makeUser(prefix) {
  const name = uniqueName(prefix);
  const uid = await ensureUser(ctx.server.base, name, PASSWORD);
  const { token } = await restToken(ctx.server.base, name, PASSWORD);
  return { name, uid, token };
}

/** bob: a Node client, one connection of its own, made once. */
async function ensureBob() {
  if (ctx.bob) return ctx.bob;
  const user = await makeUser("tb-bob");
  const im = ctx.pkg.default({ appid: APP_ID, dnsServer: `${ctx.server.base}/v2/app_dns`, ws: true, websocket: ctx.pkg.WebSocket, autoLogin: false, logLevel: "error", storage: false, platform: { storage: ctx.pkg.memoryStorage() } });
  ctx.bob = { im, user, rec: new Recorder(im, ["onRosterMessage"]) };
  await im.login({ name: user.name, password: PASSWORD });
  return ctx.bob;
}

/** The server's connection counts. */
async function connections() {
  const r = await fetch(`${ctx.server.base}/api/health`);
  return (await r.json()).connections;
}

/** Waits until the server counts `open` connections. */
async function waitConnections(open, ms = 15_000) {
  const end = Date.now() + ms;
  let c;
  while (Date.now() < end) {
    c = await connections();
    if (c.open === open) return c;
    await delay(50);
  }
  throw new Error(`the server counts ${JSON.stringify(c)}, want ${open} open`);
}

/**
 * A tab: a page of `context` with a client (shared tabs, unless `options` say otherwise), recording what it receives (window.rx:
 * onRosterMessage as {from, content}), the logout event, and when its own engine connected
 * (window.connectedAt, Date.now(): set in the tab that leads, at each connection).
 */
async function openTab(context, options = { tabs: "shared" }) {
  const page = await context.newPage();
  page.on("console", (m) => {
    if (DEBUG || (m.type() === "error" && !m.text().startsWith("Failed to load resource"))) ctx.pageErrors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => ctx.pageErrors.push(`pageerror: ${e.stack}`));
  await page.goto(`${ctx.server.base}/e2e.html`);
  await page.waitForFunction(() => window.pageLoaded === true, null, { timeout: 20_000 });
  await page.evaluate(({ appid, options }) => {
    const im = window.flooim({ appid, dnsServer: location.origin + "/v2/app_dns", ws: true, logLevel: "error", ...options });
    window.im = im;
    window.rx = [];
    window.logouts = 0;
    window.connectedAt = [];
    im.on("onRosterMessage", (m) => window.rx.push({ from: String(m.from), content: m.content }));
    im.on("logout", () => window.logouts++);
    im.on("connectionStateChanged", (s) => {
      if ((s && s.state) === "connected" || s === "connected") window.connectedAt.push(Date.now());
    });
  }, { appid: APP_ID, options });
  return page;
}

function tabLogin(page, user) {
  return page.evaluate(({ name, password }) => window.im.login({ name, password }).then(() => window.im.ready()).then(() => "ok"), { name: user.name, password: PASSWORD });
}

/** The contents a tab received from `from`. */
function received(page, from, prefix = "") {
  return page.evaluate(({ from, prefix }) => window.rx.filter((m) => m.from === String(from) && m.content.startsWith(prefix)).map((m) => m.content), { from, prefix });
}

async function waitReceived(page, from, prefix, n, ms = 20_000) {
  try {
    await page.waitForFunction(({ from, prefix, n }) => window.rx.filter((m) => m.from === String(from) && m.content.startsWith(prefix)).length >= n, { from, prefix, n }, { timeout: ms });
  } catch (err) {
    const got = await received(page, from, prefix);
    throw new Error(`${n} × ${prefix} from ${from} did not arrive in ${ms} ms; got ${got.length}: ${got.join(" ")}`, { cause: err });
  }
  return received(page, from, prefix);
}

before(async () => {
  ctx.project = await getProject();
  ctx.pkg = await loadPackage(ctx.project);
  const web = await makeWebDir(ctx.project);
  // The bad-input table, for the page to import.
  await copyFile(path.join(path.dirname(fileURLToPath(import.meta.url)), "badinput.mjs"), path.join(web, "badinput.mjs"));
  ctx.server = await startServer({ webDir: web });
  ctx.browser = await launchChromium(ctx.project);
});

after(async () => {
  await ctx.bob?.im.close().catch(() => {});
  await ctx.browser?.close().catch(() => {});
  await cleanupAll();
  if (ctx.pageErrors.length) console.log("page errors:\n" + ctx.pageErrors.join("\n"));
});

test("tabs of one user share one connection, its events, its sends and its logout", async (t) => {
  const alice = await makeUser("tb-alice");
  const { im, user: bob } = await ensureBob();
  await befriend(ctx.server.base, alice, bob);
  await waitConnections(1);

  const context = await ctx.browser.newContext();
  t.after(() => context.close().catch(() => {})); // a failed test leaves no tab, and no connection, behind
  const tabs = [await openTab(context)];
  assert.equal(await tabLogin(tabs[0], alice), "ok");
  for (let i = 1; i < 3; i++) {
    tabs.push(await openTab(context));
    // Every tab of an app may log in on load: the same user's login resolves at once.
    assert.equal(await tabLogin(tabs[i], alice), "ok");
  }
  for (const t of tabs) {
    await t.waitForFunction(() => window.im.isLogin() && window.im.state() === "connected", null, { timeout: 15_000 });
  }
  await delay(500); // a second connection, if any tab made one, would show now
  assert.deepEqual(await connections(), { open: 2, live: 2 }, "bob's connection and one for alice's three tabs");

  // A message from bob appears in all three.
  im.sysManage.sendRosterMessage({ uid: alice.uid, content: "to-alice-1" });
  for (const t of tabs) assert.deepEqual(await waitReceived(t, bob.uid, "to-alice", 1), ["to-alice-1"]);

  // One sent from tab 2 (a follower) appears in tabs 1 and 3 as alice's own, and reaches bob once.
  const mid = await tabs[1].evaluate((uid) => window.im.sysManage.sendRosterMessage({ uid, content: "from-tab2" }), bob.uid);
  assert.match(mid, /^[0-9]+$/, "the client_mid, at once");
  for (const t of tabs) assert.deepEqual(await waitReceived(t, alice.uid, "from-tab2", 1), ["from-tab2"]);
  await ctx.bob.rec.wait("onRosterMessage", (m) => m.content === "from-tab2");
  const history = await tabs[2].evaluate((uid) => window.im.rosterManage.getRosterMessageByRid(uid).map((m) => m.content), bob.uid);
  assert.ok(history.includes("from-tab2") && history.includes("to-alice-1"), `tab 3's getRosterMessageByRid: ${history}`);

  // The follower's own answers match the leader's: makeSearch over messages, friends and groups
  // (bob's user name is a friend hit, "TO-alice" a message hit, ASCII letters folded).
  for (const keyword of ["TO-alice", bob.name.slice(0, 6), "nothing-like-this"]) {
    const search = (page) => page.evaluate((kw) => window.im.sysManage.makeSearch(kw), keyword);
    const [lead, follow] = [await search(tabs[0]), await search(tabs[2])];
    assert.deepEqual(follow, lead, `makeSearch(${keyword}) in a follower`);
    if (keyword !== "nothing-like-this") assert.ok(follow.rosterArr.length > 0, `makeSearch(${keyword}) found nothing: ${JSON.stringify(follow)}`);
  }
  // markMessageUnread in a follower answers with the message, unread, and the leader marks it.
  const toAlice = await tabs[0].evaluate((uid) => window.im.rosterManage.getRosterMessageByRid(uid).find((m) => m.content === "to-alice-1"), bob.uid);
  const marked = await tabs[2].evaluate(({ uid, mid }) => window.im.sysManage.markMessageUnread(uid, mid, false), { uid: bob.uid, mid: toAlice.id });
  assert.deepEqual({ id: marked?.id, content: marked?.content, status: marked?.status }, { id: toAlice.id, content: "to-alice-1", status: 0 });
  await tabs[0].waitForFunction(({ uid, mid }) => window.im.sysManage.getMessageStatus(uid, mid, false) === "unread", { uid: bob.uid, mid: toAlice.id }, { timeout: 5_000 });
  // An upload from a follower runs in the leader, and its progress callback runs in the follower.
  const upload = await tabs[2].evaluate(async (peer) => {
    const bytes = new Uint8Array(200_000).map((_, i) => i % 251);
    const progress = [];
    const res = await window.im.sysManage.asyncFileUpload({ file: new File([bytes], "tab.bin"), fileType: "file", toType: "chat", to_id: peer, chatType: "roster", processCallback: (p) => progress.push([p.loaded, p.total]) });
    const back = new Uint8Array(await (await fetch(window.im.sysManage.getChatFile({ url: res.url }))).arrayBuffer());
    return { progress, same: back.length === bytes.length && back.every((b, i) => b === bytes[i]) };
  }, bob.uid);
  assert.ok(upload.same, "the file uploaded from a follower comes back the same");
  assert.ok(upload.progress.length > 0, "the follower's progress callback ran");
  const [loaded, total] = upload.progress.at(-1);
  assert.ok(total > 0 && loaded === total, `the last progress report: ${loaded} of ${total}`);

  // The leader (tab 1) closes while tab 2 sends a burst, one every 5 ms.
  await tabs[1].evaluate(
    ({ uid, n }) => {
      window.burst = 0;
      (async () => {
        for (let i = 0; i < n; i++) {
          window.im.sysManage.sendRosterMessage({ uid, content: `burst-${i}` });
          window.burst = i + 1;
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
    },
    { uid: bob.uid, n: BURST },
  );
  await tabs[1].waitForFunction(() => window.burst >= 50, null, { timeout: 10_000 });
  const closedAt = Date.now();
  await tabs[0].close();
  const survivors = tabs.slice(1);
  // The new leader: the first tab whose own engine connects after the close.
  const connected = await Promise.race(
    survivors.map((t) => t.waitForFunction((at) => window.connectedAt.some((x) => x >= at) && window.connectedAt.find((x) => x >= at), closedAt, { timeout: 20_000 }).then((h) => h.jsonValue())),
  );
  const handoverMs = connected - closedAt;
  console.log(`handover: leader tab closed → new leader connected in ${handoverMs} ms (during a burst, at send ${await tabs[1].evaluate(() => window.burst)})`);

  const got = await ctx.bob.rec.waitN("onRosterMessage", BURST, (m) => m.content.startsWith("burst-"), 60_000, "the burst");
  await delay(1_000); // a duplicate would arrive now
  const contents = ctx.bob.rec.all("onRosterMessage", (m) => m.content.startsWith("burst-")).map((m) => m.content);
  assert.equal(got.length, BURST);
  assert.deepEqual(contents, Array.from({ length: BURST }, (_, i) => `burst-${i}`), "every send once, in order");
  for (const t of survivors) {
    const own = await waitReceived(t, alice.uid, "burst-", BURST, 30_000);
    await delay(200);
    assert.deepEqual(await received(t, alice.uid, "burst-"), Array.from({ length: BURST }, (_, i) => `burst-${i}`), "each tab shows each send once, in order");
    assert.equal(own.length, BURST);
    assert.deepEqual(await received(t, bob.uid, "to-alice"), ["to-alice-1"], "no message shown twice across the handover");
  }
  await waitConnections(2);

  // The leader itself (tab 2, first in line for the lock) hands a burst of 200 to the SDK at once
  // and closes before they are all acknowledged: the followers kept them, the next leader queues
  // them again under the same client_mids.
  tabs.push(await openTab(context));
  await tabs[3].waitForFunction(() => window.im.isLogin(), null, { timeout: 15_000 });
  await tabs[1].evaluate(
    ({ uid, n }) => {
      for (let i = 0; i < n; i++) window.im.sysManage.sendRosterMessage({ uid, content: `lead-${i}` });
    },
    { uid: bob.uid, n: BURST },
  );
  const closed2At = Date.now();
  await tabs[1].close();
  const atClose = ctx.bob.rec.all("onRosterMessage", (m) => m.content.startsWith("lead-")).length;
  const rest = [tabs[2], tabs[3]];
  const connected2 = await Promise.race(rest.map((t) => t.waitForFunction((at) => window.connectedAt.find((x) => x >= at), closed2At, { timeout: 20_000 }).then((h) => h.jsonValue())));
  console.log(`handover: leader tab closed with its own burst in flight (${atClose} of ${BURST} delivered then) → new leader connected in ${connected2 - closed2At} ms`);
  await ctx.bob.rec.waitN("onRosterMessage", BURST, (m) => m.content.startsWith("lead-"), 60_000, "the leader's burst");
  await delay(1_000);
  const lead = ctx.bob.rec.all("onRosterMessage", (m) => m.content.startsWith("lead-")).map((m) => m.content);
  assert.deepEqual(lead, Array.from({ length: BURST }, (_, i) => `lead-${i}`), "the leader's sends: every one once, in order");
  for (const t of rest) {
    await waitReceived(t, alice.uid, "lead-", BURST, 30_000);
    await delay(200);
    assert.deepEqual(await received(t, alice.uid, "lead-"), Array.from({ length: BURST }, (_, i) => `lead-${i}`), "each tab shows each of the leader's sends once, in order");
  }
  await waitConnections(2);

  // A third tab again; a login as another user is refused while alice's session runs.
  tabs.push(await openTab(context));
  const live = [tabs[2], tabs[3], tabs[4]];
  await tabs[4].waitForFunction(() => window.im.isLogin(), null, { timeout: 15_000 });
  const refused = await tabs[4].evaluate(
    ({ name, password }) => window.im.login({ name, password }).then(() => "resolved", (e) => e.sdkName),
    { name: bob.name, password: PASSWORD },
  );
  assert.equal(refused, "UserAlreadyLogin");
  assert.deepEqual(await connections(), { open: 2, live: 2 });

  // Logout in one tab (a follower) ends all three.
  await tabs[4].evaluate(() => window.im.logout());
  for (const t of live) {
    await t.waitForFunction(() => window.logouts === 1 && !window.im.isLogin(), null, { timeout: 10_000 });
  }
  await waitConnections(1);
  await context.close();
});

/**
 * Runs, in the page, every row of the bad-input table (badinput.mjs, as node.test.mjs does) on
 * window.im, with the same expectations, and returns the number of calls and the problems.
 */
function runBadInputTable(page, bctx) {
  return page.evaluate(async ({ peer, gid, mid, message }) => {
    const { badInputTable, topLevelTable, topLevelWithoutParams } = await import("/badinput.mjs");
    const { FlooError, managerMethods } = await import("floo-wasm");
    const im = window.im;
    const ctx = { peer, gid, mid, message, blob: new Blob([new Uint8Array(8)]) };
    const outcome = async (fn, ms) => {
      let v;
      try {
        v = fn();
      } catch (error) {
        return { kind: "throw", error };
      }
      if (!v || typeof v.then !== "function") return { kind: "return", value: v };
      let timer;
      const t = new Promise((r) => (timer = setTimeout(() => r({ kind: "pending" }), ms)));
      const o = await Promise.race([v.then((value) => ({ kind: "resolve", value }), (error) => ({ kind: "reject", error })), t]);
      clearTimeout(timer);
      return o;
    };
    const emptyish = (v) => v === undefined || v === null || v === "" || v === 0 || (Array.isArray(v) ? v.length === 0 : typeof v === "object" && Object.values(v).every(emptyish));
    const check = async (kind, fn, accept = ["InvalidParam"]) => {
      const o = await outcome(fn, 3_000);
      const ok = (e) => e instanceof FlooError && accept.includes(e.sdkName) && e.source === "client";
      const bad = o.kind === "throw" || o.kind === "reject";
      const got = () => (bad ? `${o.kind}s ${o.error?.constructor?.name} ${o.error?.sdkName} ${o.error?.source} ${o.error?.message}` : `${o.kind}s ${JSON.stringify(o.value)?.slice(0, 120)}`);
      if (kind === "async" && o.kind === "reject" && ok(o.error)) return null;
      if ((kind === "sync" || kind === "get") && bad && ok(o.error)) return null;
      if (kind === "get" && o.kind === "return" && emptyish(o.value)) return null;
      if (kind === "rtc" && o.kind === "reject" && o.error?.sdkName === "ServerRtcNotOpen") return null;
      return `got: ${got()}; want (${kind}): ${accept.join(" or ")}`;
    };
    const render = (args) => args.map((a) => (a instanceof Blob ? "Blob" : typeof a === "function" ? "fn" : a === undefined ? "undefined" : JSON.stringify(a))).join(", ");
    const problems = [];
    let calls = 0;
    const table = badInputTable(ctx);
    for (const [manager, names] of Object.entries(managerMethods)) {
      for (const n of names) if (!table[manager]?.[n]) problems.push(`${manager}.${n}: no row`);
    }
    const rows = [...Object.entries(table).flatMap(([m, ms]) => Object.entries(ms).map(([n, row]) => [`${m}.${n}`, () => im[m][n], row])), ...Object.entries(topLevelTable(ctx)).map(([n, row]) => [`im.${n}`, () => im[n].bind(im), row])];
    for (const [where, get, row] of rows) {
      for (const args of row.args) {
        calls++;
        const p = await check(row.kind, () => get()(...args), row.accept);
        if (p) problems.push(`${where}(${render(args)}): ${p}`);
      }
    }
    for (const n of topLevelWithoutParams) if (typeof im[n] !== "function") problems.push(`im.${n}: not a function`);
    return { calls, problems, following: true };
  }, bctx);
}

test("tabs share by default; a second client in one page, and tabs: independent, run on their own", async (t) => {
  const [alice, dave, erin] = [await makeUser("tb-alice"), await makeUser("tb-dave"), await makeUser("tb-erin")];
  await ensureBob();
  await waitConnections(1);
  const context = await ctx.browser.newContext();
  t.after(() => context.close().catch(() => {})); // a failed test leaves no tab, and no connection, behind
  // No tabs option: two tabs of alice share one connection.
  const tabs = [await openTab(context, {}), await openTab(context, {})];
  for (const tab of tabs) assert.equal(await tabLogin(tab, alice), "ok");
  for (const tab of tabs) await tab.waitForFunction(() => window.im.isLogin() && window.im.state() === "connected", null, { timeout: 15_000 });
  await delay(500);
  assert.deepEqual(await connections(), { open: 2, live: 2 }, "bob's connection and one for alice's two tabs");

  // A second client of the app in the first tab is independent: another user logs in there (a
  // shared one would refuse with UserAlreadyLogin), on a connection of its own.
  const second = await tabs[0].evaluate(
    async ({ appid, name, password }) => {
      const im = window.flooim({ appid, dnsServer: location.origin + "/v2/app_dns", ws: true, autoLogin: false, logLevel: "error" });
      window.im2 = im;
      await im.login({ name, password });
      return { uid: String(im.userManage.getUid()), first: String(window.im.userManage.getUid()) };
    },
    { appid: APP_ID, name: dave.name, password: PASSWORD },
  );
  assert.deepEqual(second, { uid: String(dave.uid), first: String(alice.uid) });
  await waitConnections(3);

  // tabs: "independent" in a third tab: its own engine and connection.
  const own = await openTab(context, { tabs: "independent" });
  assert.equal(await tabLogin(own, erin), "ok");
  await waitConnections(4);
  assert.equal(await tabs[1].evaluate(() => String(window.im.userManage.getUid())), String(alice.uid), "the shared tabs are untouched");

  // Any other value is refused at once.
  const bad = await own.evaluate((appid) => {
    try {
      window.flooim({ appid, tabs: "many" });
      return "created";
    } catch (e) {
      return `${e instanceof window.FlooError} ${e.sdkName}`;
    }
  }, APP_ID);
  assert.equal(bad, "true InvalidParam");
  await context.close();
  await waitConnections(1); // bob's alone again
});

test("the bad-input table passes through a follower tab", async (t) => {
  const mal = await makeUser("tb-mal");
  const context = await ctx.browser.newContext();
  t.after(() => context.close().catch(() => {})); // a failed test leaves no tab, and no connection, behind
  const leader = await openTab(context);
  assert.equal(await tabLogin(leader, mal), "ok");
  const follower = await openTab(context);
  assert.equal(await tabLogin(follower, mal), "ok");
  await follower.waitForFunction(() => window.im.isLogin() && window.im.state() === "connected", null, { timeout: 15_000 });
  const peer = (await ensureBob()).user.uid;
  const message = { id: "1", from: String(mal.uid), to: String(peer), content: "x", type: "text", ext: "" };
  const t0 = Date.now();
  const { calls, problems } = await runBadInputTable(follower, { peer, gid: 1, mid: "1", message });
  console.log(`bad inputs through a follower tab: ${calls} calls in ${Date.now() - t0} ms, ${problems.length} misbehaved`);
  assert.deepEqual(problems, []);
  // The session survived: a message from the follower is delivered and confirmed.
  const mid = await follower.evaluate((uid) => window.im.sysManage.sendRosterMessage({ uid, content: "after-the-table" }), peer);
  await follower.waitForFunction((mid) => window.rx.some((m) => m.content === "after-the-table"), mid, { timeout: 15_000 });
  await context.close();
  await waitConnections(1); // bob's alone again
});

test("a leader tab that stops answering is replaced, and follows once it runs again", async (t) => {
  const carol = await makeUser("tb-carol");
  const { user: bob } = await ensureBob();
  await befriend(ctx.server.base, carol, bob);
  await waitConnections(1); // bob's alone
  const before = 1;
  const context = await ctx.browser.newContext();
  t.after(() => context.close().catch(() => {})); // a failed test leaves no tab, and no connection, behind
  const a = await openTab(context);
  assert.equal(await tabLogin(a, carol), "ok");
  const b = await openTab(context);
  assert.equal(await tabLogin(b, carol), "ok");
  await waitConnections(before + 1);

  // Tab A stops answering: its main thread is busy for 12 s (a hung tab; a tab the browser froze
  // runs no task either, but headless Chromium does not freeze a visible page).
  const frozenAt = Date.now();
  const hang = a.evaluate(() => {
    const end = Date.now() + 12_000;
    while (Date.now() < end);
  });
  await b.waitForFunction((at) => window.connectedAt.some((x) => x >= at), frozenAt, { timeout: 20_000 });
  const connected = await b.evaluate((at) => window.connectedAt.find((x) => x >= at), frozenAt);
  console.log(`hung leader: replaced, the new leader connected ${connected - frozenAt} ms after the leader stopped answering`);
  ctx.bob.im.sysManage.sendRosterMessage({ uid: carol.uid, content: "while-frozen" });
  assert.deepEqual(await waitReceived(b, bob.uid, "while-frozen", 1), ["while-frozen"]);

  // A thaws: it finds its lock taken, stops its engine and follows.
  await hang;
  await waitConnections(before + 1);
  ctx.bob.im.sysManage.sendRosterMessage({ uid: carol.uid, content: "after-thaw" });
  for (const t of [a, b]) assert.deepEqual(await waitReceived(t, bob.uid, "after-thaw", 1), ["after-thaw"]);
  await a.evaluate((uid) => window.im.sysManage.sendRosterMessage({ uid, content: "from-thawed" }), bob.uid);
  await ctx.bob.rec.wait("onRosterMessage", (m) => m.content === "from-thawed");

  // The stored session survived the thaw: B closes, A takes over and logs in with it.
  const closedAt = Date.now();
  await b.close();
  await a.waitForFunction((at) => window.connectedAt.some((x) => x >= at) && window.im.isLogin(), closedAt, { timeout: 20_000 });
  await a.evaluate((uid) => window.im.sysManage.sendRosterMessage({ uid, content: "after-second-handover" }), bob.uid);
  await ctx.bob.rec.wait("onRosterMessage", (m) => m.content === "after-second-handover");
  assert.equal(ctx.bob.rec.all("onRosterMessage", (m) => m.content === "from-thawed" || m.content === "after-second-handover").length, 2);
  await a.evaluate(() => window.im.logout());
  await context.close();
});
