// End-to-end test of the package in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core) against the real reference server. A page imports the installed package as a
// browser module (page.html); two browser contexts log in two users who message each other while
// the connection is cut twice: once by the network (the client side of every TCP connection
// through a proxy destroyed, the server side left silent, new connections refused for a while)
// and once by a server crash (SIGKILL, then a restart on the same address and data). Every
// message must arrive exactly once, in order. A page also uploads a file with XMLHttpRequest
// progress. Figures printed: cold start (navigation to im.ready() and to loginSuccess) and the
// rate at which received messages reach JS events, live and from a backlog.
//
// Run: node --test npm/test/e2e/browser.test.mjs (scripts/test-e2e.sh runs it with the Node test).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
  APP_ID,
  befriend,
  blackhole,
  cleanupAll,
  closedPort,
  ensureUser,
  getProject, launchChromium,
  loadPackage,
  makeWebDir,
  restToken,
  startServer,
  TcpProxy,
  uniqueName,
  withTimeout,
} from "./harness.mjs";

const PASSWORD = "e2e-secret-1";

/** Cold starts measured, each in a fresh browser context (empty HTTP cache and storage). */
const COLD_SAMPLES = 5;
/** Messages each side sends per disruption phase, and the pause between two sends. */
const PER_PHASE = 50;
const SEND_INTERVAL_MS = 30;
/** Throughput runs: senders × messages each (each sender stays within the server's send burst of 100). */
const TP_SENDERS = 10;
const TP_EACH = 100;

const ctx = {
  project: "",
  pkg: null,
  browser: null,
  server: null,
  proxy: null,
  nodeClients: [],
  /** Console errors and page errors of every page, for failure messages. */
  pageErrors: [],
};

/** Registers a user through REST and returns {name, uid, token}. */
async function makeUser(prefix) {
  const name = uniqueName(prefix);
  const uid = await ensureUser(ctx.server.base, name, PASSWORD);
  const { token } = await restToken(ctx.server.base, name, PASSWORD);
  return { name, uid, token };
}

/** A page of a fresh browser context (its own storage and HTTP cache), with the package loaded. */
async function openPage(query = "") {
  const context = await ctx.browser.newContext();
  const page = await context.newPage();
  page.on("console", (m) => {
    // Failed loads are reported with their URL by the response handler below.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) ctx.pageErrors.push(`console: ${m.text()}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) ctx.pageErrors.push(`HTTP ${r.status()} ${r.url()}`);
  });
  page.on("pageerror", (e) => ctx.pageErrors.push(`pageerror: ${e.message}`));
  await page.goto(`${ctx.proxy.base}/e2e.html${query}`);
  await page.waitForFunction(() => window.pageLoaded === true, null, { timeout: 20_000 });
  return { context, page };
}

/**
 * Creates a client in the page, records what it receives from `peer` and its send statuses and
 * connection states, and logs in. Resolves with the user id the client reports.
 */
function pageLogin(page, user, peer) {
  return page.evaluate(
    async ({ name, password, peer, appid }) => {
      const im = window.flooim({ appid, dnsServer: location.origin + "/v2/app_dns", ws: true, autoLogin: false, logLevel: "error" });
      window.im = im;
      window.rx = [];
      window.statuses = {};
      window.states = [];
      im.on("onRosterMessage", (m) => {
        if (m.from === String(peer)) window.rx.push({ content: m.content, id: m.id, at: performance.now() });
      });
      im.on("onSendingMessageStatusChanged", (s) => (window.statuses[s.mid] ??= []).push(s.status));
      im.on("connectionStateChanged", (s) => window.states.push(s.state));
      await im.login({ name, password });
      return im.userManage.getUid();
    },
    { name: user.name, password: PASSWORD, peer: peer.uid, appid: APP_ID },
  );
}

/** Starts sending `count` messages `prefix-0`, `prefix-1`, … to `peer`, one every `interval` ms. */
function pageStartSending(page, peer, prefix, count, interval) {
  return page.evaluate(
    ({ peer, prefix, count, interval }) => {
      window.sending = new Promise((resolve, reject) => {
        const mids = [];
        let i = 0;
        const tick = () => {
          try {
            // Sends made while the connection is down wait in the outbox: count them.
            if (window.im.state() !== "connected") window.offlineSends = (window.offlineSends ?? 0) + 1;
            const mid = window.im.sysManage.sendRosterMessage({ uid: peer, content: `${prefix}-${i}` });
            if (mid && typeof mid.then === "function") {
              mid.catch(() => {});
              throw new Error("sysManage.sendRosterMessage returned a Promise instead of the client_mid");
            }
            mids.push(String(mid));
          } catch (err) {
            window.sendError = `${err && err.name}: ${err && err.message}`;
            reject(err);
            return;
          }
          i++;
          if (i < count) setTimeout(tick, interval);
          else resolve(mids);
        };
        tick();
      });
      window.sending.catch(() => {});
    },
    { peer: peer.uid, prefix, count, interval },
  );
}

/**
 * Waits until the page has received at least `n` messages whose content starts with `prefix-`.
 * Fails at once when a send in either page threw.
 */
async function pageWaitReceived(page, prefix, n, timeout, senderPage) {
  await page.waitForFunction(
    ({ prefix, n }) => window.sendError || window.rx.filter((m) => m.content.startsWith(prefix + "-")).length >= n,
    { prefix, n },
    { timeout, polling: 20 },
  );
  for (const p of [page, senderPage]) {
    const err = p && (await p.evaluate(() => window.sendError));
    if (err) throw new Error(`sending failed: ${err}`);
  }
}

/** The contents received with the given prefix, in arrival order. */
function pageReceived(page, prefix) {
  return page.evaluate((prefix) => window.rx.filter((m) => m.content.startsWith(prefix + "-")).map((m) => m.content), prefix);
}

/** Checks that `got` is exactly prefix-0 … prefix-(n-1): nothing lost, nothing duplicated, in order. */
function assertExactlyOnceInOrder(got, prefix, n, who) {
  const want = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const seen = new Map();
  for (const c of got) seen.set(c, (seen.get(c) ?? 0) + 1);
  const dups = [...seen].filter(([, k]) => k > 1).map(([c, k]) => `${c}×${k}`);
  const lost = want.filter((c) => !seen.has(c));
  assert.deepEqual(dups, [], `${who}: duplicated messages`);
  assert.deepEqual(lost, [], `${who}: lost messages`);
  assert.deepEqual(got, want, `${who}: messages out of order`);
}

before(async () => {
  ctx.project = await getProject();
  ctx.pkg = await loadPackage(ctx.project);
  const web = await makeWebDir(ctx.project);
  ctx.server = await startServer({ webDir: web });
  ctx.proxy = await new TcpProxy(() => ctx.server.addr).listen();
  ctx.browser = await launchChromium(ctx.project);
});

after(async () => {
  for (const im of ctx.nodeClients) await im.close().catch(() => {});
  await ctx.browser?.close().catch(() => {});
  await cleanupAll();
  // Failed WebSocket handshakes are expected while the server is down; anything else is news.
  if (ctx.pageErrors.length > 0) console.log(`page console errors and failed loads:\n${ctx.pageErrors.slice(0, 30).join("\n")}`);
});

test("cold start: a fresh context goes from navigation to im.ready() and to a login", async () => {
  const user = await makeUser("cold");
  const samples = [];
  for (let i = 0; i < COLD_SAMPLES; i++) {
    const { context, page } = await openPage(`?cold=1&name=${encodeURIComponent(user.name)}&password=${encodeURIComponent(PASSWORD)}`);
    await page.waitForFunction(() => window.cold?.done === true, null, { timeout: 30_000 });
    const cold = await page.evaluate(() => window.cold);
    assert.equal(cold.error, undefined, `cold start failed: ${cold.error}`);
    assert.ok(cold.ready > 0 && cold.login > cold.ready, JSON.stringify(cold));
    samples.push(cold);
    await page.evaluate(() => window.coldIm.close());
    await context.close();
  }
  const median = (k) => samples.map((s) => s[k]).sort((a, b) => a - b)[COLD_SAMPLES >> 1];
  console.log(
    `figure: Chromium cold start, navigation → im.ready(): median ${median("ready").toFixed(0)} ms ` +
      `(samples ${samples.map((s) => s.ready.toFixed(0)).join(", ")}); → loginSuccess: median ${median("login").toFixed(0)} ms`,
  );
});

test("script tag: window.flooIM chats with a Node client; floo.wasm arrives brotli-compressed and compiles streaming", async () => {
  const tag = await makeUser("tag");
  const node = await makeUser("node");
  await befriend(ctx.server.base, tag, node);
  const context = await ctx.browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (e) => ctx.pageErrors.push(`pageerror: ${e.message}`));
  // Record whether the module is compiled while it downloads.
  await page.addInitScript(() => {
    const streaming = WebAssembly.instantiateStreaming;
    window.streamingCalls = 0;
    WebAssembly.instantiateStreaming = (...args) => {
      window.streamingCalls++;
      return streaming.apply(WebAssembly, args);
    };
  });
  const wasmResponses = [];
  page.on("response", (r) => {
    if (new URL(r.url()).pathname === "/sdk/floo.wasm") wasmResponses.push(r);
  });
  const bob = ctx.pkg.default({
    appid: APP_ID,
    dnsServer: `${ctx.server.base}/v2/app_dns`,
    ws: true,
    websocket: ctx.pkg.WebSocket,
    autoLogin: false,
    logLevel: "error",
    platform: { storage: ctx.pkg.memoryStorage() },
  });
  ctx.nodeClients.push(bob);
  try {
    await page.goto(`${ctx.proxy.base}/iife.html`);
    await page.waitForFunction(() => window.pageLoaded === true, null, { timeout: 20_000 });
    // flooIM() starts the DNS lookup (JSAPI.md §2): isReady() turns true with no other call.
    await page.evaluate(({ appid }) => {
      window.im = window.flooIM({ appid, dnsServer: location.origin + "/v2/app_dns", ws: true, autoLogin: false, logLevel: "error" });
      window.rx = [];
      window.im.on("onRosterMessage", (m) => window.rx.push(m.content));
    }, { appid: APP_ID });
    await page.waitForFunction(() => window.im.isReady(), null, { timeout: 20_000 });

    await withTimeout(bob.login({ name: node.name, password: PASSWORD }), 20_000, "the Node client's login");
    const got = [];
    bob.on("onRosterMessage", (m) => got.push(m.content));
    const uid = await withTimeout(
      page.evaluate(async ({ name, password }) => {
        await window.im.login({ name, password });
        return window.im.userManage.getUid();
      }, { name: tag.name, password: PASSWORD }),
      20_000,
      "the script-tag page's login",
    );
    assert.equal(String(uid), String(tag.uid));
    await page.evaluate(({ to }) => window.im.sysManage.sendRosterMessage({ uid: to, content: "from the script tag" }), { to: node.uid });
    bob.sysManage.sendRosterMessage({ uid: tag.uid, content: "from Node" });
    await page.waitForFunction(() => window.rx.includes("from Node"), null, { timeout: 15_000 });
    await withTimeout(
      (async () => {
        while (!got.includes("from the script tag")) await new Promise((r) => setTimeout(r, 20));
      })(),
      15_000,
      "the Node client to receive the page's message",
    );

    // What the page transferred for the SDK (the script and the module), headers included.
    assert.equal(wasmResponses.length, 1, "floo.wasm fetched once");
    const headers = await wasmResponses[0].allHeaders();
    assert.equal(headers["content-encoding"], "br", JSON.stringify(headers));
    assert.equal(headers["content-type"], "application/wasm");
    assert.equal(headers["vary"], "Accept-Encoding");
    assert.equal(await page.evaluate(() => window.streamingCalls), 1, "compiled with instantiateStreaming");
    const sdk = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((e) => new URL(e.name).pathname.startsWith("/sdk/"))
        .map((e) => ({ path: new URL(e.name).pathname, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize })),
    );
    const wasm = sdk.find((e) => e.path === "/sdk/floo.wasm");
    const js = sdk.find((e) => e.path === "/sdk/floo.iife.js");
    assert.ok(wasm && js, JSON.stringify(sdk));
    assert.ok(wasm.decoded > 3 * wasm.encoded, `floo.wasm decoded ${wasm.decoded} from ${wasm.encoded} bytes`);
    const total = sdk.reduce((t, e) => t + e.transfer, 0);
    console.log(
      `figure: script-tag SDK transferred ${total} bytes in Chromium (floo.wasm ${wasm.transfer}, ${wasm.decoded} decoded; ` +
        `floo.iife.js ${js.transfer}, ${js.decoded} decoded)`,
    );
    assert.ok(total < 750_000, `the SDK transferred ${total} bytes, over 750,000`);
  } finally {
    await page.evaluate(() => window.im?.close()).catch(() => {});
    await context.close();
  }
});

test("two contexts chat through a network drop and a server crash: nothing lost, nothing duplicated, in order", async () => {
  const alice = await makeUser("alice");
  const bob = await makeUser("bob");
  await befriend(ctx.server.base, alice, bob);
  const A = await openPage();
  const B = await openPage();
  try {
    assert.equal(String(await withTimeout(pageLogin(A.page, alice, bob), 20_000, "alice's login")), String(alice.uid));
    assert.equal(String(await withTimeout(pageLogin(B.page, bob, alice), 20_000, "bob's login")), String(bob.uid));

    const phases = [
      ["drop", async () => assert.ok(ctx.proxy.drop({ outageMs: 500 }) >= 2, "the proxy had both pages' connections to cut")],
      ["crash", async () => void (await ctx.server.restart({ downMs: 300 }))],
    ];
    for (const [phase, disrupt] of phases) {
      const statesBefore = await Promise.all([A, B].map((p) => p.page.evaluate(() => window.states.length)));
      await Promise.all([A, B].map((p) => p.page.evaluate(() => (window.offlineSends = 0))));
      await pageStartSending(A.page, bob, `${phase}:a`, PER_PHASE, SEND_INTERVAL_MS);
      await pageStartSending(B.page, alice, `${phase}:b`, PER_PHASE, SEND_INTERVAL_MS);
      // Cut the connections while messages flow both ways.
      await pageWaitReceived(B.page, `${phase}:a`, PER_PHASE / 4, 15_000, A.page);
      await pageWaitReceived(A.page, `${phase}:b`, PER_PHASE / 4, 15_000, B.page);
      const cutAt = performance.now();
      await disrupt();

      await pageWaitReceived(B.page, `${phase}:a`, PER_PHASE, 45_000, A.page).catch(async (e) => {
        throw new Error(`${phase}: bob got ${(await pageReceived(B.page, `${phase}:a`)).length}/${PER_PHASE}: ${e.message}`);
      });
      await pageWaitReceived(A.page, `${phase}:b`, PER_PHASE, 45_000, B.page).catch(async (e) => {
        throw new Error(`${phase}: alice got ${(await pageReceived(A.page, `${phase}:b`)).length}/${PER_PHASE}: ${e.message}`);
      });
      const recovered = performance.now() - cutAt;

      for (const [p, who, idx] of [[B.page, "bob", 1], [A.page, "alice", 0]]) {
        // Every send is acknowledged exactly once and none failed.
        const mids = await p.evaluate(() => window.sending);
        assert.equal(mids.length, PER_PHASE);
        assert.equal(new Set(mids).size, PER_PHASE, "client_mids are unique");
        await p.waitForFunction((mids) => mids.every((m) => window.statuses[m]?.includes("sent")), mids, { timeout: 30_000 });
        const statuses = await p.evaluate((mids) => mids.map((m) => window.statuses[m]), mids);
        const bad = statuses.map((s, i) => [mids[i], s]).filter(([, s]) => s.filter((x) => x === "sent").length !== 1 || s.includes("failed"));
        assert.deepEqual(bad, [], `${who}'s send statuses`);
        // The connection really went down and came back.
        const states = (await p.evaluate(() => window.states)).slice(statesBefore[idx]);
        assert.ok(states.some((s) => s !== "connected"), `${who} noticed the ${phase}: states ${JSON.stringify(states)}`);
        assert.equal(states.at(-1), "connected", `${who} reconnected: states ${JSON.stringify(states)}`);
      }
      // A fence: one more message each way. Delivery is ordered, so once the fence is in, any
      // late duplicate of the phase's messages would be in too.
      await A.page.evaluate(({ peer, c }) => window.im.sysManage.sendRosterMessage({ uid: peer, content: c }), { peer: bob.uid, c: `${phase}:fence-0` });
      await B.page.evaluate(({ peer, c }) => window.im.sysManage.sendRosterMessage({ uid: peer, content: c }), { peer: alice.uid, c: `${phase}:fence-0` });
      await pageWaitReceived(B.page, `${phase}:fence`, 1, 15_000);
      await pageWaitReceived(A.page, `${phase}:fence`, 1, 15_000);
      assertExactlyOnceInOrder(await pageReceived(B.page, `${phase}:a`), `${phase}:a`, PER_PHASE, `bob (${phase})`);
      assertExactlyOnceInOrder(await pageReceived(A.page, `${phase}:b`), `${phase}:b`, PER_PHASE, `alice (${phase})`);
      const offline = await Promise.all([A, B].map((p) => p.page.evaluate(() => window.offlineSends)));
      // Both cuts last long enough (a refused reconnect, then a backoff) that sends pile up in the outbox.
      assert.ok(offline[0] > 0 && offline[1] > 0, `sends made while disconnected: ${offline}`);
      console.log(
        `${phase}: ${PER_PHASE} messages each way delivered exactly once and in order (${offline[0]} + ${offline[1]} sent while disconnected); ` +
          `${recovered.toFixed(0)} ms from the cut to the last delivery`,
      );
    }
  } finally {
    for (const { page, context } of [A, B]) {
      await page.evaluate(() => window.im?.close()).catch(() => {});
      await context.close();
    }
  }
});

/**
 * Creates a client in the page with `config` and runs a login that is expected to fail: a token
 * login when `uid` is given, else a name login. Resolves with what the rejection and the events
 * showed.
 */
function pageFailedLogin(page, config, { uid, token, name, password }) {
  return page.evaluate(
    async ({ config, uid, token, name, password }) => {
      const im = window.flooim({ ws: true, autoLogin: false, logLevel: "off", ...config });
      const fails = [];
      im.on("loginFail", (r) => fails.push(r));
      await im.ready();
      const t0 = performance.now();
      try {
        await (uid ? im.tokenLogin(uid, token) : im.login({ name, password }));
        await im.close();
        return { resolved: true };
      } catch (e) {
        const out = { flooError: e instanceof window.FlooError, sdkName: e.sdkName, message: e.message, ms: performance.now() - t0, state: im.state(), isLogin: im.isLogin() };
        for (let i = 0; i < 200 && fails.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
        out.fails = fails;
        await im.close();
        return out;
      }
    },
    { config, uid, token, name, password },
  );
}

/** Checks the outcome of pageFailedLogin: a FlooError of sdkName, one loginFail, no session. */
function assertFailedLogin(got, sdkName, reason = "socket_failure") {
  assert.equal(got.resolved, undefined, "the login must fail");
  assert.ok(got.flooError, `a FlooError: ${JSON.stringify(got)}`);
  assert.equal(got.sdkName, sdkName, got.message);
  assert.deepEqual(got.fails, [reason]);
  assert.equal(got.state, "idle");
  assert.equal(got.isLogin, false);
}

test("login settles in the browser: an unreachable DNS, a refused or a silent server reject with their codes", async () => {
  const user = await makeUser("settle");
  const closed = await closedPort();
  const hole = await blackhole();
  const P = await openPage();
  const D = await openPage();
  const refusing = await startServer({ publicURL: `http://127.0.0.1:${closed}` });
  try {
    const creds = { name: user.name, password: PASSWORD };
    // The default login timeout (30 s) runs against a blackhole meanwhile, in another page.
    const slow = pageFailedLogin(D.page, { appid: APP_ID, dnsServer: `http://127.0.0.1:${hole}/v2/app_dns` }, creds);
    slow.catch(() => {});
    const short = { appid: APP_ID, loginTimeout: 3_000 };

    // (a) The DNS URL is a closed port, or a host name that does not resolve: a browser tells
    // neither from any other failed fetch, and three failed lookups end the login.
    for (const dnsServer of [`http://127.0.0.1:${closed}/v2/app_dns`, "http://floo-e2e.invalid/v2/app_dns"]) {
      const got = await withTimeout(pageFailedLogin(P.page, { ...short, dnsServer }, creds), 15_000, `the login against ${dnsServer}`);
      assertFailedLogin(got, "ServerDNSFailed");
      assert.ok(got.message.startsWith(`DNS lookup failed: ${dnsServer}: `), got.message);
    }

    // (b) The server's DNS reply points at a closed port: the WebSocket closes with 1006, three
    // times, and the token login ends with ServerConnectFailed.
    const refused = await withTimeout(
      pageFailedLogin(P.page, { ...short, dnsServer: `${refusing.base}/v2/app_dns` }, { uid: user.uid, token: user.token }),
      15_000,
      "the login against a refused fireplace",
    );
    assertFailedLogin(refused, "ServerConnectFailed");
    assert.ok(refused.message.startsWith(`cannot connect to ws://127.0.0.1:${closed}: `), refused.message);

    // (c) The DNS URL is a blackhole: the login timeout ends the login.
    const silent = await withTimeout(pageFailedLogin(P.page, { ...short, dnsServer: `http://127.0.0.1:${hole}/v2/app_dns` }, creds), 15_000, "the login against a blackhole");
    assertFailedLogin(silent, "SignInTimeout");
    assert.ok(silent.ms >= 2_900, `not before loginTimeout: ${silent.ms} ms`);
    assert.ok(silent.message.startsWith("login did not complete within 3000ms"), silent.message);

    const dflt = await withTimeout(slow, 45_000, "the login with the default timeout");
    assertFailedLogin(dflt, "SignInTimeout");
    assert.ok(dflt.message.startsWith("login did not complete within 30000ms"), `the default is 30 s: ${dflt.message}`);
  } finally {
    await P.context.close();
    await D.context.close();
    await refusing.stop();
  }
});

test("upload from the page: XMLHttpRequest progress, then the file travels in a message", async () => {
  const alice = await makeUser("upa");
  const bob = await makeUser("upb");
  const A = await openPage();
  const B = await openPage();
  try {
    await withTimeout(pageLogin(A.page, alice, bob), 20_000, "alice's login");
    await withTimeout(pageLogin(B.page, bob, alice), 20_000, "bob's login");
    await B.page.evaluate(() => {
      window.files = [];
      window.im.on("onRosterMessage", (m) => {
        if (m.type === "file") window.files.push(m);
      });
    });
    const size = 2 * 1024 * 1024;
    const up = await A.page.evaluate(
      async ({ peer, size }) => {
        const bytes = new Uint8Array(size);
        for (let i = 0; i < size; i++) bytes[i] = (i * 31) & 0xff;
        const file = new File([bytes], "e2e.bin", { type: "application/octet-stream" });
        const progress = [];
        const res = await window.im.sysManage.asyncFileUpload({
          file,
          fileType: "file",
          toType: "chat",
          to_id: peer,
          chatType: "roster",
          processCallback: (p) => progress.push({ loaded: p.loaded, total: p.total }),
        });
        const back = new Uint8Array(await (await fetch(window.im.sysManage.getChatFile({ url: res.url }))).arrayBuffer());
        const same = back.length === bytes.length && back.every((b, i) => b === bytes[i]);
        window.im.sysManage.sendRosterMessage({ uid: peer, type: "file", content: "", attachment: { url: res.url, dName: "e2e.bin", fLen: size } });
        return { url: res.url, progress, same };
      },
      { peer: bob.uid, size },
    );
    assert.ok(up.same, "the downloaded file equals the uploaded one");
    assert.ok(up.progress.length >= 1, "processCallback called");
    const last = up.progress.at(-1);
    assert.equal(last.loaded, last.total, `final progress ${JSON.stringify(last)}`);
    assert.ok(last.total >= size, `total ${last.total} covers the ${size}-byte file`);
    for (let i = 1; i < up.progress.length; i++) assert.ok(up.progress[i].loaded >= up.progress[i - 1].loaded, "progress never goes back");
    await B.page.waitForFunction(() => window.files.length > 0, null, { timeout: 10_000 });
    const got = await B.page.evaluate(() => window.files[0]);
    assert.equal(got.attach?.url, up.url);
    console.log(`upload: ${size} bytes from Chromium with ${up.progress.length} progress callbacks`);
  } finally {
    for (const { page, context } of [A, B]) {
      await page.evaluate(() => window.im?.close()).catch(() => {});
      await context.close();
    }
  }
});

/** Logs `count` Node clients of the installed package in as new sender users. */
async function nodeSenders(prefix, count) {
  const users = [];
  for (let i = 0; i < count; i++) users.push(await makeUser(`${prefix}${i}`));
  const clients = users.map(() => {
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
    im.acked = 0;
    im.on("onSendingMessageStatusChanged", (st) => {
      if (st.status === "sent") im.acked++;
    });
    return im;
  });
  await Promise.all(clients.map((im, i) => withTimeout(im.login({ name: users[i].name, password: PASSWORD }), 20_000, `sender ${i} login`)));
  return clients;
}

/** Waits until every client has had `each` sends acknowledged (so the server stored them). */
function waitAcked(clients, each, ms) {
  let check;
  const done = new Promise((resolve) => {
    check = () => {
      if (clients.every((im) => im.acked >= each)) resolve();
    };
    for (const im of clients) im.on("onSendingMessageStatusChanged", check);
    check();
  });
  return withTimeout(done, ms, `${clients.length} × ${each} sends to be acknowledged`).finally(() => {
    for (const im of clients) im.off("onSendingMessageStatusChanged", check);
  });
}

/** Each client sends `each` messages `${tag}-${i}-${k}` to `uid`, interleaved; resolves with the time it took. */
function sendBurst(clients, uid, tag, each) {
  const t0 = performance.now();
  for (let k = 0; k < each; k++) {
    clients.forEach((im, i) => {
      const mid = im.sysManage.sendRosterMessage({ uid, content: `${tag}-${i}-${k}` });
      if (mid && typeof mid.then === "function") {
        mid.catch(() => {});
        throw new Error("sysManage.sendRosterMessage (Node) returned a Promise instead of the client_mid");
      }
    });
  }
  return performance.now() - t0;
}

/** Waits until the receiving page has counted `total` messages of `tag`; returns its counters. */
async function receivedBurst(page, tag, total) {
  await page.waitForFunction(({ tag, total }) => (window.tp[tag]?.n ?? 0) >= total, { tag, total }, { timeout: 90_000, polling: 50 }).catch(async (e) => {
    throw new Error(`${tag}: received ${await page.evaluate((tag) => window.tp[tag]?.n ?? 0, tag)}/${total}: ${e.message}`);
  });
  const r = await page.evaluate((tag) => {
    const t = window.tp[tag];
    return { n: t.n, unique: t.seen.size, first: t.first, last: t.last, origin: performance.timeOrigin };
  }, tag);
  assert.equal(r.n, total, `${tag}: no duplicates`);
  assert.equal(r.unique, total);
  return r;
}

test("throughput: messages from the server reach JS events in Chromium, live and from a backlog", async () => {
  const bob = await makeUser("tpbob");
  const total = TP_SENDERS * TP_EACH;
  const R = await openPage();
  try {
    // The receiver counts messages per tag ("live", "backlog"), with the time each reached its handler.
    await R.page.evaluate(
      async ({ name, password, appid }) => {
        const im = window.flooim({ appid, dnsServer: location.origin + "/v2/app_dns", ws: true, autoLogin: false, logLevel: "error" });
        window.im = im;
        window.tp = {};
        im.on("onRosterMessage", (m) => {
          const tag = m.content.split("-")[0];
          const t = performance.now();
          const c = (window.tp[tag] ??= { n: 0, first: t, last: t, seen: new Set() });
          c.last = t;
          c.n++;
          c.seen.add(m.content);
        });
        await im.login({ name, password });
      },
      { name: bob.name, password: PASSWORD, appid: APP_ID },
    );

    // Live: senders in Node (each its own client of the installed package, each within the
    // server's per-connection send burst) push while the page is connected.
    const live = await nodeSenders("tplive", TP_SENDERS);
    const t0 = performance.timeOrigin + performance.now();
    const queueMs = sendBurst(live, bob.uid, "live", TP_EACH);
    const l = await receivedBurst(R.page, "live", total);
    const liveRate = (total / (l.origin + l.last - t0)) * 1000;

    // Backlog: the page disconnects, the messages are stored, then one reconnect delivers them
    // all; this isolates the receive path (decode, store, events) from the senders' pace.
    await R.page.evaluate(() => window.im.disConnect());
    await R.page.waitForFunction(() => window.im.state() !== "connected", null, { timeout: 10_000 });
    const backlog = await nodeSenders("tpback", TP_SENDERS);
    sendBurst(backlog, bob.uid, "backlog", TP_EACH);
    await waitAcked(backlog, TP_EACH, 60_000);
    const reconnectAt = await R.page.evaluate(() => {
      window.im.reconnect();
      return performance.now();
    });
    const b = await receivedBurst(R.page, "backlog", total);
    const backlogRate = ((total - 1) / (b.last - b.first)) * 1000;
    const backlogTotalRate = (total / (b.last - reconnectAt)) * 1000;

    console.log(
      `figure: Chromium receive throughput, live: ${total} messages from ${TP_SENDERS} Node senders reached onRosterMessage at ` +
        `${liveRate.toFixed(0)} msg/s end to end (senders queued them in ${queueMs.toFixed(0)} ms)`,
    );
    console.log(
      `figure: Chromium receive throughput, backlog: ${total} stored messages reached onRosterMessage at ${backlogRate.toFixed(0)} msg/s ` +
        `(first→last ${(b.last - b.first).toFixed(0)} ms; ${backlogTotalRate.toFixed(0)} msg/s counting the reconnect)`,
    );
    assert.ok(liveRate > 0 && backlogRate > 0);
  } finally {
    await R.page.evaluate(() => window.im?.close()).catch(() => {});
    await R.context.close();
  }
});
