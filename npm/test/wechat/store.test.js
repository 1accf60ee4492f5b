// The local store in the emulated mini-program runtime (harness/), on wx storage, against the real
// reference server: a mini-program is killed and started again on the same phone, whose storage is
// written to a file and read back in between (what WeChat keeps across runs). The conversation
// list and its unread counts are there before the socket opens; the 20 messages sent offline are
// delivered once, in order, by the next run; a recall and an edit survive. An index of a newer
// schema, an unreadable index and a full 10 MB quota are each reported once, and the SDK keeps
// working (docs/localstore.md, npm/src/storage/wechat.ts).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { cleanup, Device, makeCodePackage, newDevice, newUser, rest, startMiniProgram, startServer, waitFor } from "./harness/index.js";

let server;
let pkg;
const dirs = [];
const running = [];

before(async () => {
  server = await startServer();
  pkg = makeCodePackage();
});

after(async () => {
  for (const mp of running) mp.kill();
  await server?.stop();
  cleanup(pkg, ...dirs);
});

/** Starts the mini-program on device and creates a client recording its events. */
function launch(device, watch) {
  const mp = startMiniProgram({ device, packageRoot: pkg });
  running.push(mp);
  const sdk = mp.require("floo-wasm");
  const im = sdk.flooim({ appid: server.appId, dnsServer: server.dns, logLevel: "warn", autoLogin: false });
  const run = { mp, im, log: [], inbox: [], errors: [], opened: 0 };
  // Count the sockets whose onOpen callback ran, in the order the SDK sees it.
  const wx = mp.evaluate("wx");
  const connect = wx.connectSocket;
  wx.connectSocket = function (o) {
    const task = connect.call(this, o);
    const onOpen = task.onOpen.bind(task);
    task.onOpen = (fn) => onOpen((res) => {
      run.opened++;
      fn(res);
    });
    return task;
  };
  im.on("recentlistUpdate", () => {
    const list = im.userManage.getConversationList();
    run.log.push({
      sockets: run.opened,
      n: list.length,
      unread: list.reduce((s, c) => s + im.rosterManage.getUnreadCount(c.id), 0),
      last: watch ? Array.from(im.rosterManage.getRosterMessageByRid(watch), (m) => String(m.content)) : [],
    });
  });
  im.on("onRosterMessage", (m) => run.inbox.push(m.content));
  im.on("error", (e) => run.errors.push(String(e && e.message)));
  return run;
}

/** The phone after a restart: its storage written to a file and read back into a new Device. */
function reboot(device) {
  const file = path.join(device.dir, "storage.json");
  writeFileSync(file, JSON.stringify([...device.storage]));
  const next = new Device(device.dir);
  next.storage = new Map(JSON.parse(readFileSync(file, "utf8")));
  return next;
}

/** Makes a and b friends through REST. */
async function friend(a, b) {
  await rest(server, "POST", "/roster/apply", { token: a.token, body: { user_id: b.uid, alias: "", reason: "t" } }).catch(() => {});
  await rest(server, "POST", "/roster/accept", { token: b.token, query: { user_id: a.uid } }).catch(() => {});
}

const settle = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until the store holds `n` records of kind 3 for user (the shards of messages). */
function storedShards(device, user) {
  return [...device.storage.keys()].filter((k) => k.startsWith(`floo-store/${server.appId}/${user}/`) && /\/3\.\d+\.\d+$/.test(k)).length;
}

test("a restarted mini-program shows the stored list first and sends what was queued offline, once, in order", async () => {
  const alice = await newUser(server, `sa${Date.now() % 100000}`);
  const bob = await newUser(server, `sb${Date.now() % 100000}`);
  const carol = await newUser(server, `sc${Date.now() % 100000}`);
  await friend(alice, bob);
  await friend(alice, carol);
  let device = newDevice();
  dirs.push(device.dir);
  const bobPhone = launch(newDevice());
  dirs.push(bobPhone.mp.native.device.dir);
  await bobPhone.im.login({ name: bob.name, password: bob.password });
  const carolPhone = launch(newDevice());
  dirs.push(carolPhone.mp.native.device.dir);
  await carolPhone.im.login({ name: carol.name, password: carol.password });

  let a = launch(device, bob.uid);
  await a.im.login({ name: alice.name, password: alice.password });
  for (let i = 0; i < 5; i++) await bobPhone.im.sysManage.sendRosterMessage({ uid: alice.uid, content: `b-${i}` });
  for (let i = 0; i < 3; i++) await carolPhone.im.sysManage.sendRosterMessage({ uid: alice.uid, content: `c-${i}` });
  await waitFor(() => a.inbox.length >= 8, "alice's messages");
  const ids = a.im.rosterManage.getRosterMessageByRid(bob.uid).map((m) => String(m.id));
  await bobPhone.im.rosterManage.recallMessage(alice.uid, ids[0]);
  await bobPhone.im.rosterManage.replaceMessage(alice.uid, ids[1], "b-1 edited");
  await waitFor(() => a.im.rosterManage.getRosterMessageByRid(bob.uid)[0]?.content === "b-1 edited", "the recall and the edit");
  await waitFor(() => storedShards(device, alice.uid) >= 2, "the stored messages");

  // Offline: 20 sends queue in the outbox and in wx storage.
  a.mp.setOnline(false);
  await waitFor(() => a.im.state() !== "connected", "the connection to go");
  for (let i = 0; i < 20; i++) a.im.sysManage.sendRosterMessage({ uid: bob.uid, content: `off-${i}` });
  await settle(300);
  a.mp.kill();
  assert.equal(bobPhone.inbox.filter((c) => c.startsWith("off-")).length, 0, "nothing delivered while offline");

  device = reboot(device);
  a = launch(device, bob.uid);
  await a.im.login({ name: alice.name, password: alice.password });
  await waitFor(() => bobPhone.inbox.filter((c) => c.startsWith("off-")).length >= 20, "the queued messages");
  await settle(800);
  assert.deepEqual(
    bobPhone.inbox.filter((c) => c.startsWith("off-")),
    Array.from({ length: 20 }, (_, i) => `off-${i}`),
    "delivered exactly once, in order",
  );
  const first = a.log[0];
  assert.ok(first, "a recentlistUpdate");
  assert.equal(first.sockets, 0, "the stored list came before any socket opened");
  assert.equal(first.n, 2);
  assert.equal(first.unread, 7, "unread counts from the store (8 received, 1 recalled)");
  assert.deepEqual(first.last, ["b-1 edited", "b-2", "b-3", "b-4"], "the recall and the edit survived");
  assert.deepEqual(a.errors, []);
  a.mp.kill();
  bobPhone.mp.kill();
  carolPhone.mp.kill();
});

/** Logs a new user in on a fresh phone whose wx storage was prepared by setup(storage, user). */
async function prepared(setup) {
  const u = await newUser(server, `sx${Date.now() % 1000000}`);
  const peer = await newUser(server, `sy${Date.now() % 1000000}`);
  await friend(u, peer);
  const device = newDevice();
  dirs.push(device.dir);
  setup(device.storage, `floo-store/${server.appId}/${u.uid}`);
  const r = launch(device);
  await r.im.login({ name: u.name, password: u.password });
  return { u, peer, device, r };
}

test("an index of a newer schema is reported once and left untouched", async () => {
  const index = JSON.stringify(JSON.stringify({ v: 99, g: 1, s: {} }));
  const { device, r, u } = await prepared((st, key) => st.set(key, index));
  await waitFor(() => r.im.state() === "connected", "connected");
  await settle(200);
  assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
  assert.match(r.errors[0], /newer version/);
  assert.equal(device.storage.get(`floo-store/${server.appId}/${u.uid}`), index);
  r.mp.kill();
});

test("an unreadable store is reported once, removed, and used again", async () => {
  const { device, r, u, peer } = await prepared((st, key) => {
    st.set(key, JSON.stringify(JSON.stringify({ v: 1, g: 1, s: { 1: key + "/1/1" } })));
    st.set(key + "/1/1", JSON.stringify("not base64 !"));
  });
  await waitFor(() => r.im.state() === "connected", "connected");
  r.im.sysManage.sendRosterMessage({ uid: peer.uid, content: "after the reset" });
  await waitFor(() => storedShards(device, u.uid) >= 1 || r.errors.length > 1, "a new store");
  assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
  assert.match(r.errors[0], /unreadable/);
  assert.equal(device.storage.has(`floo-store/${server.appId}/${u.uid}/1/1`), false);
  r.mp.kill();
});

test("a full 10 MB quota is reported once; the oldest messages go and the SDK keeps working", async () => {
  const { device, r, peer } = await prepared(() => {});
  await waitFor(() => r.im.state() === "connected", "connected");
  // Fill the phone: 9 keys of ~1 MB and what is left but ~20 KB.
  const filler = "x".repeat(1024 * 1024 - 16);
  for (let i = 0; i < 9; i++) device.storage.set(`filler${i}`, JSON.stringify(filler));
  let used = 0;
  for (const [k, v] of device.storage) used += k.length + v.length;
  device.storage.set("filler-last", JSON.stringify("y".repeat(10 * 1024 * 1024 - used - 20_000)));
  for (let i = 0; i < 60; i++) r.im.sysManage.sendRosterMessage({ uid: peer.uid, content: `q-${i} ${"z".repeat(400)}` });
  await waitFor(() => r.errors.length >= 1, "the quota error");
  await settle(1500);
  assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
  assert.match(r.errors[0], /exceed/);
  assert.equal(r.im.state(), "connected");
  r.mp.kill();
});
