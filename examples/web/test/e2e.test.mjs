// End-to-end test of the web example against the reference server, in headless Chromium.
//
// It builds ./cmd/floo-server once, starts it on a free port with a temporary data folder and the
// built app (examples/web/dist, from `npm run build`), and drives two browser contexts (two
// separate users, as two browsers would be): register, befriend, chat both ways, typing, read
// receipts, an image, edit and recall, a server restart in mid-chat, a group with a mention, and a
// reload that must resume the session with its history. Every wait is bounded and waits for UI
// state, never for time.
// Screenshots go to test/screenshots/.
//
// Run it through scripts/test-web.sh, which builds what it needs first. Environment:
//   CHROMIUM        the browser (default /usr/bin/chromium)
//   FLOO_SERVER_BIN a prebuilt floo-server to use instead of building one

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, mkdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const webDir = resolve(here, "..");
const repo = resolve(webDir, "../..");
const dist = join(webDir, "dist");
const shots = join(here, "screenshots");

/** Bound of every UI wait. Generous for a loaded 2-core machine, far below the test timeout. */
const WAIT = 20_000;
/**
 * Bound of a reconnection after the server comes back: the SDK's first retry is immediate, the
 * next ones wait a random 1 s up to a ceiling that doubles to 10 s, so one wait plus the login.
 */
const RECONNECT_WAIT = 30_000;

let tmp;
let serverBin;
let serverArgs;
let server;
let serverLog = "";
let baseURL;
let browser;
const pageErrors = [];
/**
 * Console errors that are expected for a while, such as the browser's own reports of refused
 * connections while the server is down; undefined when none are.
 */
let tolerated;

before(async () => {
  assert.ok(existsSync(join(dist, "index.html")), `no app build in ${dist}: run scripts/test-web.sh (or npm run build)`);
  tmp = await mkdtemp(join(tmpdir(), "floo-web-e2e-"));
  await mkdir(shots, { recursive: true });

  serverBin = process.env.FLOO_SERVER_BIN;
  if (!serverBin) {
    serverBin = join(tmp, "floo-server");
    execFileSync("go", ["build", "-o", serverBin, "./cmd/floo-server"], { cwd: repo, stdio: "inherit" });
  }
  // A fixed port rather than -addr 127.0.0.1:0: the server is restarted in the middle of the test,
  // and the clients must find it again at the URL they know.
  const addr = `127.0.0.1:${await freePort()}`;
  serverArgs = ["-addr", addr, "-data", join(tmp, "data"), "-web", dist, "-log-level", "info"];
  baseURL = await startServer();

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
});

after(async () => {
  await browser?.close().catch(() => {});
  await stopServer();
  if (tmp) await rm(tmp, { recursive: true, force: true });
  if (pageErrors.length) console.log("page errors:\n" + pageErrors.join("\n"));
});

/** A TCP port that is free right now on 127.0.0.1, found by letting the system pick one. */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/** Starts the server with serverArgs and resolves with its URL once it listens. */
function startServer() {
  const proc = spawn(serverBin, serverArgs, { stdio: ["ignore", "ignore", "pipe"] });
  server = proc;
  let log = "";
  return new Promise((resolveURL, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not start:\n" + log)), WAIT);
    proc.stderr.setEncoding("utf8");
    proc.stderr.on("data", (chunk) => {
      log += chunk;
      serverLog += chunk;
      const m = /msg="floo-server listening" addr=(\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolveURL(`http://${m[1]}`);
      }
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}):\n${log}`));
    });
  });
}

/**
 * Stops the server with SIGTERM (a graceful shutdown), or SIGKILL if it takes too long, and
 * resolves with true if SIGTERM was enough.
 */
async function stopServer() {
  const proc = server;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return true;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill("SIGKILL");
    await exited;
    return false;
  }
  return true;
}

/** A browser context of its own: separate storage, as a second browser would have. */
async function newUser(name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(WAIT);
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(`[${name}] ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !tolerated?.test(msg.text())) pageErrors.push(`[${name}] console: ${msg.text()}`);
  });
  return { name, context, page };
}

async function shot(page, file) {
  // Entrance animations (a dialog fading in) are finished first, so a picture never catches one
  // half way through.
  await page.screenshot({ path: join(shots, file), animations: "disabled" });
}

const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);
// Matched on the text itself (span.text; the bubble of a text message has the class "text" too),
// not the whole bubble, whose text runs on into its time: "Trail note 3" sent at "01:05 AM" reads
// "Trail note 301:05 AM", which contains "Trail note 30".
const message = (page, text) => page.locator('[data-testid="message"]', { has: page.locator("span.text", { hasText: text }) });
const conversation = (page, name) => page.locator('[data-testid="conv"]', { has: page.locator('[data-testid="conv-name"]', { hasText: name }) });

async function register(u) {
  await u.page.goto(baseURL);
  await byTestId(u.page, "tab-register").click();
  await byTestId(u.page, "username").fill(u.name);
  await byTestId(u.page, "password").fill("correct horse battery");
  await byTestId(u.page, "auth-submit").click();
  await byTestId(u.page, "me-name").filter({ hasText: u.name }).waitFor();
  await u.page.locator('[data-testid="conn-status"][data-state="connected"]').waitFor();
}

/**
 * Waits until the message found by `locator` shows one of the send states (data-status: sending,
 * failed, sent, delivered, read). The message's element is replaced when its send completes, so
 * this waits on a selector, not on an element.
 */
async function waitStatus(locator, states) {
  const any = states.map((st) => `[data-status="${st}"]`).join(",");
  await locator.and(locator.page().locator(any)).first().waitFor();
}

const SENT = ["sent", "delivered", "read"];

async function openChat(u, name) {
  await byTestId(u.page, "tab-chats").click();
  await conversation(u.page, name).click();
  await byTestId(u.page, "chat-name").filter({ hasText: name }).waitFor();
}

async function send(u, text) {
  const box = byTestId(u.page, "composer");
  await box.fill(text);
  await box.press("Enter");
  await message(u.page, text).first().waitFor();
}

/** A small picture drawn by the browser itself, so the test needs no image file. */
async function makePNG(page) {
  const dataURL = await page.evaluate(() => {
    const c = document.createElement("canvas");
    c.width = 480;
    c.height = 300;
    const g = c.getContext("2d");
    const grad = g.createLinearGradient(0, 0, 480, 300);
    grad.addColorStop(0, "#60a5fa");
    grad.addColorStop(1, "#a78bfa");
    g.fillStyle = grad;
    g.fillRect(0, 0, 480, 300);
    g.fillStyle = "#fde68a";
    g.beginPath();
    g.arc(370, 80, 42, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = "#1e3a8a";
    g.beginPath();
    g.moveTo(0, 300);
    g.lineTo(150, 140);
    g.lineTo(260, 240);
    g.lineTo(340, 170);
    g.lineTo(480, 300);
    g.fill();
    return c.toDataURL("image/png");
  });
  return Buffer.from(dataURL.split(",")[1], "base64");
}

test("two users chat through the web example", { timeout: 240_000 }, async (t) => {
  const alice = await newUser("alice");
  const bob = await newUser("bob");
  const A = alice.page;
  const B = bob.page;

  // The steps build on each other: after a failure the rest is skipped, and both screens are
  // saved as they were.
  let failed = false;
  const step = (name, fn) =>
    t.test(name, { skip: failed && "an earlier step failed" }, async () => {
      try {
        await fn();
      } catch (err) {
        failed = true;
        await shot(A, "failed-alice.png").catch(() => {});
        await shot(B, "failed-bob.png").catch(() => {});
        throw err;
      }
    });

  await step("both register and land in the app", async () => {
    await A.goto(baseURL);
    await byTestId(A, "auth-submit").waitFor();
    await shot(A, "01-sign-in.png");
    await Promise.all([register(alice), register(bob)]);
    await shot(A, "02-registered.png");
  });

  await step("alice finds bob and bob accepts her friend request", async () => {
    await byTestId(A, "tab-contacts").click();
    await byTestId(A, "contact-search").fill("bob");
    await byTestId(A, "contact-search-go").click();
    await byTestId(A, "search-result").filter({ hasText: "bob" }).waitFor();
    await byTestId(A, "add-friend").click();
    await byTestId(A, "requested").waitFor();
    // A click dismisses a toast at once.
    const sentToast = byTestId(A, "toast").filter({ hasText: "Friend request sent to bob" });
    await sentToast.click();
    await sentToast.waitFor({ state: "detached" });

    await byTestId(B, "tab-contacts").click();
    const request = byTestId(B, "request").filter({ hasText: "alice" });
    await request.waitFor();
    await shot(B, "03-friend-request.png");
    await request.locator('[data-testid="accept"]').click();

    await byTestId(B, "friend").filter({ hasText: "alice" }).waitFor();
    await byTestId(A, "friend").filter({ hasText: "bob" }).waitFor();
    await byTestId(A, "toast").filter({ hasText: "You and bob are now friends" }).waitFor();
  });

  await step("they chat both ways with typing and read receipts", async () => {
    await byTestId(A, "friend").filter({ hasText: "bob" }).click();
    await byTestId(A, "chat-name").filter({ hasText: "bob" }).waitFor();
    await send(alice, "Hi Bob! Are we still on for Saturday?");
    const mine = message(A, "Hi Bob! Are we still on for Saturday?");
    await waitStatus(mine, SENT);

    // Bob sees the new conversation with an unread badge, then opens it.
    await byTestId(B, "tab-chats").click();
    await conversation(B, "alice").locator('[data-testid="unread"]').filter({ hasText: "1" }).waitFor();
    await shot(B, "04-unread-badge.png");
    await openChat(bob, "alice");
    await message(B, "Hi Bob! Are we still on for Saturday?").waitFor();

    // Opening the chat read the message: alice's tick turns to "read".
    await waitStatus(mine, ["read"]);

    // Bob types: alice sees the indicator, then the message.
    await byTestId(B, "composer").fill("Yes! I'll bring the");
    await byTestId(A, "typing").waitFor();
    await byTestId(A, "chat-sub").filter({ hasText: "typing" }).waitFor();
    await shot(A, "05-typing.png");
    await byTestId(B, "composer").fill("Yes! I'll bring the snacks");
    await byTestId(B, "composer").press("Enter");
    await message(A, "Yes! I'll bring the snacks").waitFor();
    await byTestId(A, "typing").waitFor({ state: "hidden" });
    await waitStatus(message(B, "bring the snacks"), ["read"]);
  });

  await step("alice sends a photo that bob can see", async () => {
    const png = await makePNG(A);
    await byTestId(A, "file-input").setInputFiles({ name: "hike.png", mimeType: "image/png", buffer: png });
    const img = B.locator('[data-testid="message"][data-type="image"] img[data-testid="image"]');
    await img.waitFor();
    await B.waitForFunction(
      () => {
        const el = document.querySelector('[data-testid="message"][data-type="image"] img[data-testid="image"]');
        return el instanceof HTMLImageElement && el.complete && el.naturalWidth > 0;
      },
      null,
      { timeout: WAIT },
    );
    await waitStatus(A.locator('[data-testid="message"][data-type="image"]'), SENT);
    await shot(B, "06-photo.png");
  });

  await step("alice edits one message and recalls another", async () => {
    const original = message(A, "Are we still on");
    await original.hover();
    await original.locator('[data-testid="act-edit"]').click();
    await byTestId(A, "editing").waitFor();
    await byTestId(A, "composer").fill("Hi Bob! Are we still on for Saturday at 10?");
    await byTestId(A, "composer").press("Enter");
    await message(B, "Saturday at 10?").filter({ hasText: "edited" }).waitFor();

    await send(alice, "Oops, wrong chat");
    const oops = message(A, "Oops, wrong chat");
    await waitStatus(oops, SENT);
    await message(B, "Oops, wrong chat").waitFor();
    await oops.hover();
    await oops.locator('[data-testid="act-recall"]').click();
    await byTestId(B, "recalled").filter({ hasText: "alice recalled a message" }).waitFor();
    await message(B, "Oops, wrong chat").waitFor({ state: "detached" });
    await byTestId(A, "recalled").filter({ hasText: "You recalled a message" }).waitFor();
    await shot(A, "07-chat.png");
  });

  await step("a blocked send fails, and goes through on retry after unblocking", async () => {
    await byTestId(B, "chat-info").click();
    await byTestId(B, "block").click();
    await byTestId(B, "block").click(); // the second click confirms
    await byTestId(B, "unblock").waitFor();
    await shot(B, "08-blocked.png");

    await byTestId(A, "composer").fill("Still there?");
    await byTestId(A, "composer").press("Enter");
    const pending = message(A, "Still there?");
    await waitStatus(pending, ["failed"]);
    await pending.locator('[data-testid="failed"]').waitFor();
    await shot(A, "09-failed-send.png");

    await byTestId(B, "unblock").click();
    await byTestId(B, "block").waitFor();
    await byTestId(B, "chat-info").click();
    await pending.locator('[data-testid="retry"]').click();
    await waitStatus(message(A, "Still there?"), SENT);
    await message(B, "Still there?").waitFor();
  });

  await step("going offline shows the banner, and queued sends go out on reconnect", async () => {
    await alice.context.setOffline(true);
    await byTestId(A, "conn-banner").waitFor();
    await byTestId(A, "composer").fill("On the train, the signal comes and goes");
    await byTestId(A, "composer").press("Enter");
    await waitStatus(message(A, "On the train, the signal comes and goes"), ["sending"]);
    await shot(A, "10-offline.png");
    await alice.context.setOffline(false);
    await byTestId(A, "conn-banner").waitFor({ state: "detached" });
    await message(B, "On the train, the signal comes and goes").waitFor();
    await waitStatus(message(A, "On the train, the signal comes and goes"), SENT);
  });

  await step("the server restarts: the banner counts down, and a queued send goes out once", async () => {
    const queued = "Did the server just blink?";
    const later = "It did, all good now";
    // The browsers report the refused connections in the console while the server is down.
    tolerated = /ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|WebSocket connection to .* failed|Failed to load resource|Failed to fetch/;
    // The waits the SDK announces, to check the countdown against.
    await A.evaluate(() => {
      const waits = (globalThis.retryWaits = []);
      globalThis.floo.sdk.im.on("connectionStateChanged", (p) => {
        if (typeof p.retryIn === "number") waits.push(p.retryIn);
      });
    });
    assert.ok(await stopServer(), "the server did not stop on SIGTERM");

    // Both screens notice; alice's message waits in the queue.
    await byTestId(A, "conn-banner").waitFor();
    await byTestId(B, "conn-banner").waitFor();
    await byTestId(A, "composer").fill(queued);
    await byTestId(A, "composer").press("Enter");
    await waitStatus(message(A, queued), ["sending"]);

    // The banner counts down to the next attempt. It also shows "Connecting…" during an attempt,
    // so the picture is retaken until the countdown is still there once it is taken.
    const countdown = byTestId(A, "conn-banner").filter({ hasText: /Reconnecting in \d+ s/ });
    await A.mouse.move(800, 700); // no hover highlight in the picture
    for (let tries = 0; ; tries++) {
      await countdown.waitFor();
      await shot(A, "11-reconnecting.png");
      const seen = await A.evaluate(() => ({
        text: document.querySelector('[data-testid="conn-banner"]')?.textContent ?? "",
        waits: globalThis.retryWaits,
      }));
      const m = /Reconnecting in (\d+) s/.exec(seen.text);
      if (m) {
        // The number counts down from the SDK's wait, never above it.
        const longest = Math.max(...seen.waits);
        assert.ok(Number(m[1]) >= 1 && Number(m[1]) <= Math.ceil(longest / 1000), `"${seen.text}" after waits of ${seen.waits} ms`);
        break;
      }
      assert.ok(tries < 10, "the countdown never stayed up long enough for a screenshot");
    }

    // Back on the same address and data: both reconnect by themselves.
    const again = await startServer();
    assert.equal(again, baseURL, "the server must come back at the same address");
    await byTestId(A, "conn-banner").waitFor({ state: "detached", timeout: RECONNECT_WAIT });
    await byTestId(B, "conn-banner").waitFor({ state: "detached", timeout: RECONNECT_WAIT });
    await message(B, queued).waitFor();
    await waitStatus(message(A, queued), SENT);

    // A later message from alice is a barrier: once bob has it, a duplicate of the queued one
    // would have shown before it.
    await send(alice, later);
    await message(B, later).waitFor();
    await waitStatus(message(A, later), SENT);
    assert.equal(await message(B, queued).count(), 1, "bob must get the queued message exactly once");
    assert.equal(await message(A, queued).count(), 1, "alice must see her queued message once");

    // History and the conversation lists are intact on both sides.
    for (const [page, text] of [
      [A, "Saturday at 10?"],
      [A, "bring the snacks"],
      [A, "Still there?"],
      [B, "Saturday at 10?"],
      [B, "On the train, the signal comes and goes"],
    ]) {
      await message(page, text).waitFor();
    }
    await A.locator('[data-testid="message"][data-type="image"] img[data-testid="image"]').waitFor();
    await byTestId(A, "tab-chats").click();
    await byTestId(B, "tab-chats").click();
    await conversation(A, "bob").filter({ hasText: later }).waitFor();
    await conversation(B, "alice").filter({ hasText: later }).waitFor();
    assert.equal(await byTestId(A, "conv").count(), 1, "alice's conversation list changed");
    assert.equal(await byTestId(B, "conv").count(), 1, "bob's conversation list changed");
    tolerated = undefined;
  });

  await step("alice creates a group with bob and they talk there", async () => {
    await byTestId(A, "tab-groups").click();
    await byTestId(A, "new-group").click();
    await byTestId(A, "group-name").fill("Saturday hike");
    await A.locator('[data-testid="pick-bob"] input').check();
    await shot(A, "12-new-group.png");
    await byTestId(A, "create-group").click();
    await byTestId(A, "chat-name").filter({ hasText: "Saturday hike" }).waitFor();
    await send(alice, "Welcome to the hike group!");

    await openChat(bob, "Saturday hike");
    await message(B, "Welcome to the hike group").waitFor();

    // Bob mentions alice through the @ picker.
    const box = byTestId(B, "composer");
    await box.fill("");
    await box.pressSequentially("@ali");
    await byTestId(B, "mention-option").filter({ hasText: "alice" }).click();
    await box.pressSequentially("see you at the trailhead");
    await box.press("Enter");
    const mention = message(A, "see you at the trailhead");
    await mention.locator(".at", { hasText: "@alice" }).waitFor();
    await mention.locator(".bubble.mention").waitFor();
    // The group is open on alice's screen, so bob's message is read at once.
    await conversation(A, "Saturday hike").waitFor();
    await conversation(A, "Saturday hike").locator('[data-testid="unread"]').waitFor({ state: "detached" });

    await byTestId(A, "chat-info").click();
    await byTestId(A, "member").filter({ hasText: "bob" }).waitFor();
    await byTestId(A, "member").filter({ hasText: "owner" }).waitFor();
    // The owner's admin actions: make bob an admin.
    const bobRow = byTestId(A, "member").filter({ hasText: "bob" });
    await bobRow.getByRole("button", { name: "Make admin" }).click();
    await bobRow.locator(".role.admin").waitFor();
    await bobRow.getByRole("button", { name: "Revoke admin" }).waitFor();
    // The toasts of the friend step leave by themselves after a few seconds, unclicked.
    await byTestId(A, "toast").filter({ hasText: "You and bob are now friends" }).waitFor({ state: "detached" });
    await byTestId(A, "toast").first().waitFor({ state: "detached" });
    await shot(A, "13-group.png");
    await byTestId(A, "chat-info").click();
  });

  await step("after a reload alice is still signed in with her history", async () => {
    // More than a history page (20) in the group, so that scrolling up has to fetch the next one.
    await B.evaluate(() => {
      const chat = globalThis.floo;
      for (let i = 1; i <= 30; i++) chat.sendText(chat.state.active, `Trail note ${i}`);
    });
    await conversation(A, "Saturday hike").filter({ hasText: "Trail note 30" }).waitFor();

    await A.reload();
    await byTestId(A, "me-name").filter({ hasText: "alice" }).waitFor();
    assert.equal(await byTestId(A, "auth-submit").count(), 0, "the sign-in form must not show after a reload");
    await conversation(A, "Saturday hike").waitFor();

    await openChat(alice, "Saturday hike");
    await message(A, "Trail note 30").waitFor();
    assert.equal(await message(A, "Welcome to the hike group").count(), 0, "the first page holds only the newest messages");
    // Each scroll to the top must bring an older page, until the first message shows.
    const oldest = message(A, "Welcome to the hike group");
    for (let page = 0; (await oldest.count()) === 0; page++) {
      assert.ok(page < 5, "scrolling up did not bring the older messages");
      const shown = await byTestId(A, "message").count();
      await byTestId(A, "messages").evaluate((el) => el.scrollTo(0, 0));
      await A.waitForFunction((n) => document.querySelectorAll('[data-testid="message"]').length > n, shown, { timeout: WAIT });
    }
    await A.locator('[data-testid="message"] span.text', { hasText: /^Trail note 1$/ }).waitFor();
    await message(A, "see you at the trailhead").waitFor();
    await openChat(alice, "bob");
    await message(A, "Saturday at 10?").waitFor();
    await message(A, "bring the snacks").waitFor();
    await A.locator('[data-testid="message"][data-type="image"] img[data-testid="image"]').waitFor();
    await waitStatus(message(A, "Saturday at 10?"), ["read"]);
    await openChat(alice, "Saturday hike");
    await message(A, "Trail note 30").waitFor();
    await openChat(alice, "bob");
    await message(A, "bring the snacks").waitFor();
    await shot(A, "14-after-reload.png");
  });

  await step("the layout works on a phone-sized screen", async () => {
    await byTestId(B, "toast").first().waitFor({ state: "detached" });
    await B.setViewportSize({ width: 390, height: 780 });
    // A chat is open: it takes the whole screen, with a back button to the list.
    await byTestId(B, "chat").waitFor();
    assert.equal(await byTestId(B, "tab-chats").isVisible(), false, "the sidebar must hide behind an open chat");
    await shot(B, "15-phone-chat.png");
    await B.locator('.chat-head button[title="Back"]').click();
    await conversation(B, "alice").waitFor();
    await shot(B, "16-phone-list.png");
  });

  await step("a picture of the app for the README", async () => {
    await send(alice, "Perfect, see you at 10 then!");
    await byTestId(B, "tab-chats").click();
    await B.setViewportSize({ width: 1280, height: 800 });
    await openChat(bob, "alice");
    await waitStatus(message(A, "see you at 10 then"), ["read"]);
    await byTestId(B, "composer").fill("Can't wait");
    await byTestId(A, "typing").waitFor();
    await byTestId(A, "toast").first().waitFor({ state: "detached" });
    await A.mouse.move(800, 650); // no hover highlight in the picture
    await shot(A, "17-readme.png");
  });

  assert.deepEqual(
    pageErrors.filter((e) => !/favicon/.test(e)),
    [],
    "the pages logged errors",
  );
  await alice.context.close();
  await bob.context.close();
});

/** Signs u in as an existing account (the one of its name) from the sign-in form. */
async function signIn(u) {
  await u.page.goto(baseURL);
  await byTestId(u.page, "username").fill(u.name);
  await byTestId(u.page, "password").fill("correct horse battery");
  await byTestId(u.page, "auth-submit").click();
  await byTestId(u.page, "me-name").filter({ hasText: u.name }).waitFor();
  await u.page.locator('[data-testid="conn-status"][data-state="connected"]').waitFor();
}

test("the settings panel lists the account's devices and signs one out", { timeout: 120_000 }, async () => {
  // One account in three browsers: three devices, one of them closed again.
  const laptop = await newUser("dana");
  const other = await newUser("dana");
  const L = laptop.page;
  const O = other.page;
  try {
    await register(laptop);
    const tablet = await newUser("dana");
    await signIn(tablet);
    await tablet.context.close();
    await signIn(other);

    await byTestId(L, "open-settings").click();
    await byTestId(L, "settings").waitFor();
    const rows = byTestId(L, "device");
    // The closed tablet may take a moment to show as offline on the server: reopen until it does.
    for (let i = 0; ; i++) {
      await L.waitForFunction(() => document.querySelectorAll('[data-testid="device"]').length === 3, null, { timeout: WAIT });
      if ((await L.locator('[data-testid="device"][data-online="false"]').count()) === 1) break;
      assert.ok(i < 50, "the closed browser never showed as offline");
      await L.keyboard.press("Escape");
      await byTestId(L, "open-settings").click();
    }
    const mine = L.locator('[data-testid="device"][data-mine="true"]');
    const theirs = L.locator('[data-testid="device"][data-mine="false"][data-online="true"]');
    const closed = L.locator('[data-testid="device"][data-online="false"]');
    assert.equal(await mine.count(), 1, "exactly one device is this one");
    assert.match(await mine.innerText(), /This device/);
    assert.match(await mine.innerText(), /Web browser/);
    assert.equal(await theirs.count(), 1, "the other browser is connected");
    assert.match(await theirs.locator('[data-testid="device-seen"]').innerText(), /Online now/);
    assert.match(await closed.locator('[data-testid="device-seen"]').innerText(), /Active (just now|1 min ago)/);
    assert.equal(await mine.locator('[data-testid="device-remove"]').count(), 0, "this device has no Remove button");
    assert.equal(await L.locator('[data-testid="device-remove"]').count(), 2, "every other device has one");
    await L.mouse.move(10, 790);
    await shot(L, "20-devices.png");

    // Remove the other browser: it asks for a second click, then the other session ends there.
    const removedSN = await theirs.getAttribute("data-sn");
    await theirs.locator('[data-testid="device-remove"]').click();
    await theirs.locator('[data-testid="device-remove"]', { hasText: "Click again" }).click();
    await byTestId(O, "auth-submit").waitFor();
    await byTestId(O, "auth-error").filter({ hasText: "signed out from another of your devices" }).waitFor();
    await shot(O, "21-device-removed.png");
    await L.waitForFunction(() => document.querySelectorAll('[data-testid="device"]').length === 2, null, { timeout: WAIT });
    assert.equal(await rows.first().getAttribute("data-mine"), "true", "this device is listed first");
    assert.equal(await L.locator(`[data-testid="device"][data-sn="${removedSN}"]`).count(), 0, "the removed device's slot is gone");

    // A reload of the removed browser does not bring the session back: its token was forgotten
    // there and revoked on the server.
    await O.reload();
    await byTestId(O, "auth-submit").waitFor();
    assert.equal(await byTestId(O, "me-name").count(), 0);
    // The laptop is still signed in and connected.
    await L.keyboard.press("Escape");
    await byTestId(L, "settings").waitFor({ state: "detached" });
    await L.locator('[data-testid="conn-status"][data-state="connected"]').waitFor();
    assert.deepEqual(
      pageErrors.filter((e) => e.startsWith("[dana]") && !/favicon/.test(e)),
      [],
      "the pages logged errors",
    );
  } catch (err) {
    await shot(L, "failed-devices-laptop.png").catch(() => {});
    await shot(O, "failed-devices-other.png").catch(() => {});
    throw err;
  } finally {
    await laptop.context.close();
    await other.context.close();
  }
});

test("the app's floo.wasm arrives brotli-compressed and cached from the reference server", { timeout: 60_000 }, async () => {
  // vite.config.ts writes .br siblings of the emitted assets; the server sends them to browsers
  // that accept br (every Chromium does), with the type of the file and a year of caching.
  const u = await newUser("wasm");
  try {
    const wasm = u.page.waitForResponse((r) => new URL(r.url()).pathname.endsWith(".wasm"));
    await u.page.goto(baseURL);
    const res = await wasm;
    const h = await res.allHeaders();
    assert.equal(h["content-encoding"], "br", JSON.stringify(h));
    assert.equal(h["content-type"], "application/wasm");
    assert.equal(h["cache-control"], "public, max-age=31536000, immutable");
    await byTestId(u.page, "tab-register").waitFor();
    const entry = await u.page.evaluate(() => {
      const e = performance.getEntriesByType("resource").find((r) => new URL(r.name).pathname.endsWith(".wasm"));
      return e && { transfer: e.transferSize, decoded: e.decodedBodySize };
    });
    assert.ok(entry && entry.decoded > 3_000_000 && entry.transfer < 750_000, JSON.stringify(entry));
    console.log(`the app's floo.wasm: ${entry.transfer} bytes transferred, ${entry.decoded} decoded`);
  } finally {
    await u.context.close();
  }
});
