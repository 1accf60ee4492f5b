// End-to-end test of the local store in headless Chromium (IndexedDB) against the real reference
// server (docs/localstore.md). A user with many conversations reloads the page: the conversation
// list, the unread counts and the last messages of a conversation are there before the WebSocket
// opens. Sends made offline survive the page being closed and are delivered exactly once, in
// order, by the next page (the peer in a browser context of its own). A recall and an edit survive
// a reload on both sides. A quota error, a database that is not the SDK's and a database of a newer
// schema are each reported once, and the SDK keeps working. Figure printed: cold start (navigation
// to the conversation list) from the store.
//
// Run: node --test npm/test/e2e/store.test.mjs (scripts/test-e2e.sh runs it with the others).
// FLOO_E2E_STORE_CONVS and FLOO_E2E_STORE_EACH set the seeded size (default 50 × 100 = 5,000).

import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";

import { APP_ID, befriend, cleanupAll, ensureUser, getProject, launchChromium, loadPackage, makeWebDir, rest, restToken, startServer, TcpProxy, uniqueName } from "./harness.mjs";

const PASSWORD = "e2e-secret-1";
/** Conversations seeded, and messages each peer sends (at most the server's send burst of 100). */
const CONVS = Number(process.env.FLOO_E2E_STORE_CONVS || 50);
const EACH = Number(process.env.FLOO_E2E_STORE_EACH || 100);
/** Node clients sending the seed in parallel, each logging in as one peer after the other. */
const SEEDERS = 10;

const ctx = { project: "", pkg: null, browser: null, server: null, proxy: null, nodeClients: [], pageErrors: [] };

async function makeUser(prefix) {
  const name = uniqueName(prefix);
  const uid = await ensureUser(ctx.server.base, name, PASSWORD);
  const { token } = await restToken(ctx.server.base, name, PASSWORD);
  return { name, uid, token };
}

/** POSTs to ratel from the loopback address `from`: the server limits /token and /user/register per IP. */
function postFrom(from, route, body) {
  return new Promise((resolve, reject) => {
    const url = new URL(route, ctx.server.base);
    const data = JSON.stringify(body);
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: "POST", localAddress: from, headers: { app_id: APP_ID, "content-type": "application/json", "content-length": Buffer.byteLength(data) } },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => {
          const env = JSON.parse(text);
          if (env.code !== 200) reject(new Error(`POST ${route}: ${env.code} ${env.message}`));
          else resolve(env.data);
        });
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

/** A peer registered and logged in through REST from a loopback address of its own. */
async function makePeer(i) {
  const from = `127.0.1.${i + 1}`;
  const name = uniqueName(`st-p${i}`);
  const settings = await postFrom(from, "/user/register/v2", { username: name, password: PASSWORD });
  const { token } = await postFrom(from, "/token/user", { name, password: PASSWORD });
  return { name, uid: settings.user_id, token };
}

function nodeClient() {
  const im = ctx.pkg.default({
    appid: APP_ID,
    dnsServer: `${ctx.server.base}/v2/app_dns`,
    ws: true,
    websocket: ctx.pkg.WebSocket,
    autoLogin: false,
    logLevel: "error",
    platform: { storage: ctx.pkg.memoryStorage() },
  });
  ctx.nodeClients.push(im);
  return im;
}

/** Sends `n` messages `prefix-i` from a logged-in node client to `to`, and waits for every ack. */
async function nodeSend(im, to, prefix, n) {
  const acked = new Set();
  const done = new Promise((resolve, reject) => {
    const on = (s) => {
      if (s.status === "sent") acked.add(String(s.mid));
      if (s.status === "failed") reject(new Error(`send ${s.mid} failed: ${s.errorReason}`));
      if (acked.size >= n) resolve();
    };
    im.on("onSendingMessageStatusChanged", on);
  });
  for (let i = 0; i < n; i++) im.sysManage.sendRosterMessage({ uid: to, content: `${prefix}-${i}` });
  await done;
}

/**
 * The page's init script: records, in order, the WebSocket's construction and open and the SDK's
 * store-served reads at each recentlistUpdate (window.log), before the package even loads.
 */
function instrument() {
  window.log = [];
  const WS = window.WebSocket;
  window.WebSocket = class extends WS {
    constructor(...a) {
      super(...a);
      window.log.push({ ev: "ws-new", at: performance.now() });
      this.addEventListener("open", () => window.log.push({ ev: "ws-open", at: performance.now() }));
    }
  };
}

/** A page of `context` with the package loaded from `base` (through the proxy by default), its errors recorded. */
async function openPage(context, base = ctx.proxy.base) {
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) ctx.pageErrors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => ctx.pageErrors.push(`pageerror: ${e.message}`));
  await page.addInitScript(instrument);
  await page.goto(`${base}/e2e.html`);
  await page.waitForFunction(() => window.pageLoaded === true, null, { timeout: 20_000 });
  return page;
}

/**
 * Creates a client, records the store-served reads at every recentlistUpdate, the SDK's error
 * events and what arrives from `watch`, then logs in (without waiting for the connection when
 * `wait` is false). Resolves with performance.now() when the call was made.
 */
function pageLogin(page, user, { watch = 0, wait = true, storage, group = 0 } = {}) {
  return page.evaluate(
    async ({ name, password, appid, watch, wait, storage, group }) => {
      // The default store, its load timed.
      const { indexedDBStore } = await import("floo-wasm");
      const store = indexedDBStore();
      const load = store.load;
      store.load = async (user) => {
        const t = performance.now();
        const b = await load(user);
        window.log.push({ ev: "load", at: performance.now(), ms: performance.now() - t, bytes: b ? b.length : 0 });
        return b;
      };
      const im = window.flooim({ appid, dnsServer: location.origin + "/v2/app_dns", ws: true, autoLogin: false, logLevel: "error", platform: { localStore: store }, ...(storage === undefined ? {} : { storage }) });
      window.im = im;
      window.errors = [];
      window.rx = [];
      window.statuses = {};
      await im.ready();
      const start = performance.now();
      im.on("recentlistUpdate", () => {
        const at = performance.now();
        const list = im.userManage.getConversationList();
        const entry = { ev: "recent", at, n: list.length, unread: list.reduce((s, c) => s + im.rosterManage.getUnreadCount(c.id), 0) };
        if (watch) entry.last = im.rosterManage.getRosterMessageByRid(watch).map((m) => m.content);
        if (group) entry.group = im.groupManage.getGruopMessage(group).map((m) => m.content);
        entry.ms = performance.now() - at;
        window.log.push(entry);
      });
      im.on("onSendingMessageStatusChanged", (s) => (window.statuses[s.mid] ??= []).push(s.status));
      im.on("error", (e) => window.errors.push({ code: e && (e.code ?? e.error?.code), message: String(e && (e.message ?? e.error?.message)) }));
      im.on("onRosterMessage", (m) => window.rx.push(m.content));
      const p = im.login({ name, password });
      if (wait) await p;
      else p.catch(() => {});
      return start;
    },
    { name: user.name, password: PASSWORD, appid: APP_ID, watch, wait, storage, group },
  );
}

/** Waits until the client is connected. */
function pageConnected(page) {
  return page.waitForFunction(() => window.im && window.im.state() === "connected", null, { timeout: 20_000 });
}

before(async () => {
  ctx.project = await getProject();
  ctx.pkg = await loadPackage(ctx.project);
  ctx.server = await startServer({ webDir: await makeWebDir(ctx.project) });
  ctx.proxy = await new TcpProxy(() => ctx.server.addr).listen();
  ctx.browser = await launchChromium(ctx.project);
});

after(async () => {
  for (const im of ctx.nodeClients) await im.close().catch(() => {});
  await ctx.browser?.close().catch(() => {});
  await cleanupAll();
  if (ctx.pageErrors.length) console.log("page errors:\n" + ctx.pageErrors.join("\n"));
});

test(`a reload shows ${CONVS} conversations and their unread counts from IndexedDB before the socket opens`, async () => {
  const alice = await makeUser("st-alice");
  const peers = [];
  for (let i = 0; i < CONVS; i++) peers.push(await makePeer(i));
  await Promise.all(peers.map((p) => befriend(ctx.server.base, p, alice)));

  // Alice's device exists (a device gets what is sent after it first logged in), then every peer
  // sends EACH messages while alice is offline.
  const context = await ctx.browser.newContext();
  let page = await openPage(context);
  await pageLogin(page, alice);
  await page.close();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: SEEDERS }, async (_, s) => {
      const im = nodeClient();
      for (let i = s; i < peers.length; i += SEEDERS) {
        await im.tokenLogin(peers[i].uid, peers[i].token);
        await nodeSend(im, alice.uid, `p${i}`, EACH);
        await im.logout();
      }
    }),
  );
  const seedMs = performance.now() - t0;

  page = await openPage(context);
  const syncStart = performance.now();
  await pageLogin(page, alice);
  const total = CONVS * EACH;
  await page.waitForFunction(
    ({ convs, total }) => {
      const list = window.im.userManage.getConversationList();
      return list.length >= convs && list.reduce((s, c) => s + window.im.rosterManage.getUnreadCount(c.id), 0) >= total;
    },
    { convs: CONVS, total },
    { timeout: 60_000, polling: 100 },
  ).catch(async (err) => {
    const state = await page.evaluate(() => window.im.userManage.getConversationList().map((c) => [c.id, window.im.rosterManage.getUnreadCount(c.id), window.im.rosterManage.getRosterMessageByRid(c.id).length]));
    throw new Error(`the synced list: ${JSON.stringify(state)}`, { cause: err });
  });
  const watched = peers[CONVS - 1];
  const want = await page.evaluate((uid) => window.im.rosterManage.getRosterMessageByRid(uid).map((m) => m.content), watched.uid);
  assert.ok(want.length >= Math.min(EACH, 20), `the last conversation holds ${want.length} messages`);
  assert.equal(want.at(-1), `p${CONVS - 1}-${EACH - 1}`);
  const synced = performance.now();
  const syncMs = synced - syncStart;
  // Let the store write the last sync page (its messages and unread counts are one transaction),
  // then close the page without logging out.
  const user = `${APP_ID}/${alice.uid}`;
  const storedMessages = () =>
    page.evaluate(
      (user) =>
        new Promise((resolve, reject) => {
          const r = indexedDB.open("floo-store");
          r.onerror = () => reject(r.error);
          r.onsuccess = () => {
            const q = r.result.transaction("records").objectStore("records").count(IDBKeyRange.bound([user, 3], [user, 3, []]));
            q.onsuccess = () => {
              r.result.close();
              resolve(q.result);
            };
          };
        }),
      user,
    );
  for (const end = Date.now() + 60_000; (await storedMessages()) < Math.min(EACH, 200) * CONVS; ) {
    if (Date.now() > end) throw new Error(`the store holds ${await storedMessages()} messages after 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const storeLag = performance.now() - synced;
  await page.close();

  // The reload: the store's list comes before the WebSocket opens.
  const nav = performance.now();
  page = await openPage(context);
  const loginAt = await pageLogin(page, alice, { watch: watched.uid, wait: false });
  await pageConnected(page);
  const log = await page.evaluate(() => window.log);
  const open = log.findIndex((e) => e.ev === "ws-open");
  const first = log.findIndex((e) => e.ev === "recent" && e.n >= CONVS);
  assert.ok(open >= 0, "the WebSocket opened");
  assert.ok(first >= 0 && first < open, `the stored conversation list comes before the WebSocket opens: ${JSON.stringify(log.slice(0, 8))}`);
  const stored = log[first];
  assert.equal(stored.n, CONVS);
  assert.equal(stored.unread, total, "unread counts from the store");
  assert.deepEqual(stored.last, want, "the watched conversation's messages from the store");
  const fromStore = stored.at - loginAt;
  const loaded = log.find((e) => e.ev === "load");
  console.log("# store: log before the socket opened: " + JSON.stringify(log.slice(0, open + 1).map((e) => ({ ev: e.ev, at: Math.round(e.at - loginAt), ms: e.ms && Math.round(e.ms) }))));
  console.log(
    `# store: seeded ${CONVS} conversations × ${EACH} messages in ${Math.round(seedMs)} ms, synced by the page in ${Math.round(syncMs)} ms; after a reload the list of ${CONVS} with ${total} unread came ` +
      `${Math.round(fromStore)} ms after the login call (${Math.round(log[open].at - stored.at)} ms before the WebSocket opened; ` +
      `IndexedDB load of ${loaded.bytes} bytes ${Math.round(loaded.ms)} ms, ended ${Math.round(loaded.at - loginAt)} ms after the login call); ` +
      `page load to ready + list: ${Math.round(performance.now() - nav)} ms wall; the store was complete ${Math.round(storeLag)} ms after the list was`,
  );
  assert.deepEqual(await page.evaluate(() => window.errors), [], "no store errors");
  await page.close();
  await context.close();
});

test("sends made offline survive closing the page and are delivered once, in order", async () => {
  const alice = await makeUser("st-off-a");
  const bob = await makeUser("st-off-b");
  await befriend(ctx.server.base, alice, bob);
  // Bob in a browser context of his own, connected to the server directly (not through the proxy).
  const bobContext = await ctx.browser.newContext();
  const bobPage = await openPage(bobContext, ctx.server.base);
  await pageLogin(bobPage, bob);
  const got = () => bobPage.evaluate(() => window.rx.slice());

  const context = await ctx.browser.newContext();
  let page = await openPage(context);
  await pageLogin(page, alice);
  // Offline: every connection cut and new ones refused.
  ctx.proxy.drop({ outageMs: 600_000 });
  await page.waitForFunction(() => window.im.state() !== "connected", null, { timeout: 20_000 });
  const mids = await page.evaluate((uid) => Array.from({ length: 20 }, (_, i) => String(window.im.sysManage.sendRosterMessage({ uid, content: `off-${i}` }))), bob.uid);
  assert.equal(new Set(mids).size, 20);
  await page.waitForTimeout(500);
  await page.close();
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(await got(), [], "nothing was delivered while offline");

  ctx.proxy.drop({ outageMs: 0 }); // online again
  page = await openPage(context);
  await pageLogin(page, alice);
  await bobPage.waitForFunction(() => window.rx.length >= 20, null, { timeout: 20_000 });
  await bobPage.waitForTimeout(1000); // a duplicate would arrive by now
  assert.deepEqual(await got(), Array.from({ length: 20 }, (_, i) => `off-${i}`), "delivered exactly once, in order");
  // The outbox is empty now: a third page sends nothing again.
  await page.waitForTimeout(300);
  await page.close();
  page = await openPage(context);
  await pageLogin(page, alice);
  await page.waitForTimeout(1000);
  assert.equal((await got()).length, 20, "nothing re-sent by a later page");
  await page.close();
  await context.close();
  await bobContext.close();
});

test("a recall and an edit survive a reload on both sides, and a group's messages", async () => {
  const alice = await makeUser("st-ed-a");
  const bob = await makeUser("st-ed-b");
  await befriend(ctx.server.base, alice, bob);
  const { group_id: gid } = await rest(ctx.server.base, "POST", "/group/create", { token: bob.token, body: { name: "store", type: 0, user_list: [alice.uid] } });
  // Two browser contexts: Bob sends, recalls and edits; Alice receives.
  const bobContext = await ctx.browser.newContext();
  let bobPage = await openPage(bobContext, ctx.server.base);
  await pageLogin(bobPage, bob);
  const context = await ctx.browser.newContext();
  let page = await openPage(context);
  await pageLogin(page, alice);

  await bobPage.evaluate(
    async ({ to, gid }) => {
      const mids = [0, 1, 2].map((i) => String(window.im.sysManage.sendRosterMessage({ uid: to, content: `ed-${i}` })));
      mids.push(String(window.im.sysManage.sendGroupMessage({ gid, content: "in the group" })));
      const end = Date.now() + 20_000;
      while (!mids.every((m) => (window.statuses[m] || []).includes("sent")) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    },
    { to: alice.uid, gid },
  );
  await page.waitForFunction((uid) => window.im.rosterManage.getRosterMessageByRid(uid).length >= 3, bob.uid, { timeout: 20_000 });
  await page.waitForFunction((gid) => window.im.groupManage.getGruopMessage(gid).length >= 1, gid, { timeout: 20_000 });
  const ids = await bobPage.evaluate((uid) => window.im.rosterManage.getRosterMessageByRid(uid).map((m) => String(m.id)), alice.uid);
  assert.equal(ids.length, 3, "Bob's own three messages, with their server ids");
  await bobPage.evaluate(
    async ({ uid, ids }) => {
      await window.im.rosterManage.recallMessage(uid, ids[0]);
      await window.im.rosterManage.replaceMessage(uid, ids[1], "ed-1 edited");
    },
    { uid: alice.uid, ids },
  );
  const settled = (uid) => {
    const c = window.im.rosterManage.getRosterMessageByRid(uid).map((m) => m.content);
    return c.length === 2 && c[0] === "ed-1 edited";
  };
  await page.waitForFunction(settled, bob.uid, { timeout: 20_000 });
  await bobPage.waitForFunction(settled, alice.uid, { timeout: 20_000 });
  await page.waitForTimeout(500);
  await page.close();
  await bobPage.close();

  // Both reload: what each shows before its socket opens comes from its own store.
  page = await openPage(context);
  bobPage = await openPage(bobContext, ctx.server.base);
  await pageLogin(page, alice, { watch: bob.uid, wait: false, group: gid });
  await pageLogin(bobPage, bob, { watch: alice.uid, wait: false, group: gid });
  for (const [who, p] of [["alice", page], ["bob", bobPage]]) {
    await pageConnected(p);
    const log = await p.evaluate(() => window.log);
    const open = log.findIndex((e) => e.ev === "ws-open");
    const stored = log.find((e, i) => e.ev === "recent" && i < open && e.n >= 1);
    assert.ok(stored, `${who}: a stored list before the socket: ${JSON.stringify(log)}`);
    assert.equal(stored.n, 2, `${who}: the roster and the group conversation`);
    assert.deepEqual(stored.last, ["ed-1 edited", "ed-2"], `${who}: the recall and the edit came from the store`);
    assert.deepEqual(stored.group, ["in the group"], `${who}: the group's message came from the store`);
  }
  await page.close();
  await bobPage.close();
  await context.close();
  await bobContext.close();
});

/** Logs `user` in on a fresh page of `context` whose IndexedDB was prepared by `setup` (run in the page first). */
async function withPreparedDB(context, setup) {
  const page = await openPage(context);
  await page.evaluate(setup);
  return page;
}

test("a database of a newer schema is reported once, left untouched, and the SDK keeps working", async () => {
  const alice = await makeUser("st-new-a");
  const context = await ctx.browser.newContext();
  const page = await withPreparedDB(
    context,
    () =>
      new Promise((resolve, reject) => {
        const r = indexedDB.open("floo-store", 99);
        r.onupgradeneeded = () => r.result.createObjectStore("future");
        r.onsuccess = () => (r.result.close(), resolve());
        r.onerror = () => reject(r.error);
      }),
  );
  await pageLogin(page, alice);
  await page.evaluate(() => window.im.sysManage.sendRosterMessage({ uid: 1, content: "x" }));
  await page.waitForTimeout(500);
  const errors = await page.evaluate(() => window.errors);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.match(errors[0].message, /VersionError/);
  assert.equal(await page.evaluate(() => window.im.state()), "connected");
  const version = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const r = indexedDB.open("floo-store");
        r.onsuccess = () => {
          const v = r.result.version;
          const names = [...r.result.objectStoreNames];
          r.result.close();
          resolve({ v, names });
        };
      }),
  );
  assert.deepEqual(version, { v: 99, names: ["future"] }, "the newer database is untouched");
  await page.close();
  await context.close();
});

test("a database that is not the SDK's is reported once, recreated, and used", async () => {
  const alice = await makeUser("st-bad-a");
  const bob = await makeUser("st-bad-b");
  await befriend(ctx.server.base, alice, bob);
  const bobIm = nodeClient();
  await bobIm.login({ name: bob.name, password: PASSWORD });
  const context = await ctx.browser.newContext();
  let page = await withPreparedDB(
    context,
    () =>
      new Promise((resolve, reject) => {
        const r = indexedDB.open("floo-store", 1);
        r.onupgradeneeded = () => r.result.createObjectStore("something-else");
        r.onsuccess = () => (r.result.close(), resolve());
        r.onerror = () => reject(r.error);
      }),
  );
  await pageLogin(page, alice);
  await nodeSend(bobIm, alice.uid, "bad", 2);
  await page.waitForFunction((uid) => window.im.rosterManage.getRosterMessageByRid(uid).length >= 2, bob.uid, { timeout: 20_000 });
  const errors = await page.evaluate(() => window.errors);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.match(errors[0].message, /recreated/);
  await page.waitForTimeout(500);
  await page.close();
  // The new database works: the messages are there after a reload, with no error.
  page = await openPage(context);
  await pageLogin(page, alice, { watch: bob.uid, wait: false });
  await pageConnected(page);
  const log = await page.evaluate(() => window.log);
  const stored = log.find((e, i) => e.ev === "recent" && i < log.findIndex((x) => x.ev === "ws-open") && e.n >= 1);
  assert.deepEqual(stored?.last, ["bad-0", "bad-1"]);
  assert.deepEqual(await page.evaluate(() => window.errors), []);
  await page.close();
  await context.close();
});

test("a quota error is reported once: the oldest messages go, the outbox stays, the SDK keeps working", async () => {
  const alice = await makeUser("st-q-a");
  const bob = await makeUser("st-q-b");
  await befriend(ctx.server.base, alice, bob);
  const bobIm = nodeClient();
  await bobIm.login({ name: bob.name, password: PASSWORD });
  const context = await ctx.browser.newContext();
  let page = await openPage(context);
  await pageLogin(page, alice);
  await nodeSend(bobIm, alice.uid, "q", 10);
  await page.waitForFunction((uid) => window.im.rosterManage.getRosterMessageByRid(uid).length >= 10, bob.uid, { timeout: 20_000 });
  await page.waitForTimeout(300);
  // The origin's quota runs out for the next transactions that write: IndexedDB aborts them with
  // QuotaExceededError, as Chromium does when the origin is full; the store's eviction (a
  // transaction that only deletes) frees space.
  await page.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    window.quotaHits = 0;
    IDBObjectStore.prototype.put = function (...a) {
      if (window.quotaFull) {
        window.quotaHits++;
        this.transaction.abort();
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      }
      return put.apply(this, a);
    };
    const del = IDBObjectStore.prototype.delete;
    IDBObjectStore.prototype.delete = function (...a) {
      window.quotaFull = false; // deleting frees space
      return del.apply(this, a);
    };
    window.quotaFull = true;
  });
  await nodeSend(bobIm, alice.uid, "q2", 2);
  await page.waitForFunction((uid) => window.im.rosterManage.getRosterMessageByRid(uid).length >= 12, bob.uid, { timeout: 20_000 });
  await page.waitForTimeout(300);
  // Again, later: reported once per client.
  await page.evaluate(() => (window.quotaFull = true));
  await nodeSend(bobIm, alice.uid, "q3", 1);
  await page.waitForTimeout(500);
  const errors = await page.evaluate(() => window.errors);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.match(errors[0].message, /quota/i);
  assert.ok((await page.evaluate(() => window.quotaHits)) >= 2);
  await page.close();

  page = await openPage(context);
  await pageLogin(page, alice, { watch: bob.uid, wait: false });
  await pageConnected(page);
  const log = await page.evaluate(() => window.log);
  const stored = log.find((e, i) => e.ev === "recent" && i < log.findIndex((x) => x.ev === "ws-open") && e.n >= 1);
  assert.ok(stored, JSON.stringify(log));
  // The oldest half went; the newest, written after the eviction, are there.
  assert.ok(!stored.last.includes("q-0"), `the oldest message was evicted: ${stored.last}`);
  assert.ok(stored.last.includes("q3-0") && stored.last.includes("q2-1"), `the newest were written: ${stored.last}`);
  await page.close();
  await context.close();
});

test("two users of one browser never see each other's data, and logout deletes the user's records", async () => {
  const alice = await makeUser("st-two-a");
  const carol = await makeUser("st-two-c");
  const bob = await makeUser("st-two-b");
  await befriend(ctx.server.base, alice, bob);
  const bobIm = nodeClient();
  await bobIm.login({ name: bob.name, password: PASSWORD });
  const context = await ctx.browser.newContext();
  let page = await openPage(context);
  await pageLogin(page, alice);
  await nodeSend(bobIm, alice.uid, "two", 2);
  await page.waitForFunction((uid) => window.im.rosterManage.getRosterMessageByRid(uid).length >= 2, bob.uid, { timeout: 20_000 });
  await page.waitForTimeout(500);
  await page.close();

  // Carol on the same browser (a reload, no logout in between): nothing of alice's.
  page = await openPage(context);
  await pageLogin(page, carol, { watch: bob.uid });
  await page.waitForTimeout(300);
  assert.deepEqual(await page.evaluate(() => window.im.userManage.getConversationList()), []);
  assert.deepEqual(await page.evaluate((uid) => window.im.rosterManage.getRosterMessageByRid(uid), bob.uid), []);
  await page.evaluate(() => window.im.logout());
  // Alice again: her records are still there; her logout deletes them.
  await pageLogin(page, alice);
  const users = () =>
    page.evaluate(
      () =>
        new Promise((resolve) => {
          const r = indexedDB.open("floo-store");
          r.onsuccess = () => {
            const q = r.result.transaction("records").objectStore("records").getAllKeys();
            q.onsuccess = () => {
              r.result.close();
              resolve([...new Set(q.result.map((k) => k[0]))].sort());
            };
          };
        }),
    );
  assert.deepEqual(await users(), [`${APP_ID}/${alice.uid}`]);
  assert.equal((await page.evaluate((uid) => window.im.rosterManage.getRosterMessageByRid(uid).map((m) => m.content), bob.uid)).join(), "two-0,two-1");
  await page.evaluate(() => window.im.logout());
  await page.waitForTimeout(300);
  assert.deepEqual(await users(), [], "logout deleted alice's records");
  await page.close();
  await context.close();
});

test("storage: false keeps everything in memory only", async () => {
  const alice = await makeUser("st-mem-a");
  const bob = await makeUser("st-mem-b");
  await befriend(ctx.server.base, alice, bob);
  const bobIm = nodeClient();
  await bobIm.login({ name: bob.name, password: PASSWORD });
  const context = await ctx.browser.newContext();
  let page = await openPage(context);
  await pageLogin(page, alice, { storage: false });
  await nodeSend(bobIm, alice.uid, "mem", 2);
  await page.waitForFunction((uid) => window.im.rosterManage.getRosterMessageByRid(uid).length >= 2, bob.uid, { timeout: 20_000 });
  await page.waitForTimeout(300);
  const databases = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  assert.deepEqual(databases, [], "no database was created");
  assert.ok(!(await page.evaluate(() => window.log.some((e) => e.ev === "load"))), "the store was never read");
  await page.close();
  await context.close();
});
