// floo-wasm clients in Node for the end-to-end benchmark (bench_test.go drives it): the packed
// npm package installed in a project made by npm/test/e2e/harness.mjs ("prepare"), loaded with
// `ws` as its WebSocket, each client with the SDK's defaults and a memory storage kept per key
// across instances (so a key is one device). It obeys commands read from stdin, one JSON object a
// line, and answers on stdout, one JSON object a line with the command's id:
//
//   {"id":1,"op":"login","key":"k","uid":"…","name":"…","password":"…","expect":N}
//       a new instance for key (the previous one is closed) logs in; answers
//       {"id":1,"loginMs":…} or, with expect, once N messages from others have arrived,
//       {"id":1,"loginMs":…,"lastMs":…,"msgs":…,"unread":…,"recent":…} (ms since login())
//   {"id":2,"op":"expect","key":"k","n":N}
//       answers {"id":2,"armed":true} at once, then {"id":2,"done":true,"msgs":…,"unread":…,
//       "recent":…} when N more messages from others have arrived
//   {"id":3,"op":"pingpong","a":"k1","b":"k2","n":1000,"warm":20}
//       a sends to b, b answers each message, rounds at least 30 ms apart; answers {"id":3,"oneway":[ms…],"rtt":[ms…]}
//   {"id":4,"op":"counts","key":"k"}      {"id":4,"msgs":…,"unread":…,"recent":…} since the last arming
//   {"id":5,"op":"close","key":"k"}       {"id":5}
//   {"id":6,"op":"profStart"}             start a CPU profile of this process (node:inspector)
//   {"id":7,"op":"profStop","file":"…"}   stop it and write it to file (a .cpuprofile)
//   {"op":"quit"}
//
// Failures answer {"id":…,"error":"…"}. Nothing here decides what passes; the Go side reports.

import { writeFile } from "node:fs/promises";
import inspector from "node:inspector";
import path from "node:path";
import readline from "node:readline";
import { pathToFileURL } from "node:url";

const [project, dnsServer] = process.argv.slice(2);
const pkg = await import(pathToFileURL(path.join(project, "entry.mjs")).href);

const reply = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
process.on("uncaughtException", (err) => reply({ fatal: `uncaught: ${err && err.stack}` }));
process.on("unhandledRejection", (err) => reply({ fatal: `unhandled rejection: ${err && err.stack}` }));

let inspectorSession = null;
const post = (method, params) =>
  new Promise((resolve, reject) => inspectorSession.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));

const storages = new Map(); // key -> memory storage
const clients = new Map(); // key -> client state

function withTimeout(p, ms, what) {
  let timer;
  return Promise.race([
    p,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

async function open(key, uid) {
  const old = clients.get(key);
  if (old) await old.im.close();
  if (!storages.has(key)) storages.set(key, pkg.memoryStorage());
  const im = pkg.default({
    appid: "welovemaxim",
    dnsServer,
    ws: true,
    websocket: pkg.WebSocket,
    autoLogin: false,
    logLevel: "error",
    platform: { storage: storages.get(key) },
  });
  const st = { im, uid: String(uid), msgs: 0, unread: 0, recent: 0, want: 0, reached: null, onMsg: null };
  im.on("onRosterMessage", (m) => {
    if (String(m.from) === st.uid || m.isHistory) return;
    const now = performance.now();
    if (st.onMsg) st.onMsg(m, now);
    st.msgs++;
    if (st.want > 0 && st.msgs === st.want) {
      st.want = 0;
      st.reached(now);
    }
  });
  im.on("onUnreadChange", () => st.unread++);
  im.on("recentlistUpdate", () => st.recent++);
  clients.set(key, st);
  return st;
}

// arm resets the counters and returns a promise of the time the n-th message arrives.
function arm(st, n) {
  st.msgs = st.unread = st.recent = 0;
  st.want = n;
  return new Promise((resolve) => (st.reached = resolve));
}

const counts = (st) => ({ msgs: st.msgs, unread: st.unread, recent: st.recent });

// PING_GAP_MS is the least time between two pings: each client then sends at most 33 messages a
// second, under the outbox's pacing of 40 per second, so that the figures are latencies.
const PING_GAP_MS = 30;

async function pingpong(a, b, n, warm) {
  const oneway = [];
  const rtt = [];
  const sentAt = new Map(); // content -> performance.now() at send
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  let i = 0;
  let lastPing = 0;
  const ping = () => {
    const content = `p${i}`;
    lastPing = performance.now();
    sentAt.set(content, lastPing);
    a.im.sysManage.sendRosterMessage({ uid: b.uid, content });
  };
  b.onMsg = (m, now) => {
    const t = sentAt.get(m.content);
    if (t === undefined) return;
    if (i >= warm) oneway.push(now - t);
    const content = `q${m.content.slice(1)}`;
    sentAt.set(content, performance.now());
    b.im.sysManage.sendRosterMessage({ uid: a.uid, content });
  };
  a.onMsg = (m, now) => {
    const t = sentAt.get(m.content);
    if (t === undefined) return;
    if (i >= warm) {
      oneway.push(now - t);
      rtt.push(now - sentAt.get(`p${m.content.slice(1)}`));
    }
    sentAt.clear();
    i++;
    if (i < warm + n) setTimeout(ping, Math.max(0, lastPing + PING_GAP_MS - performance.now()));
    else finish();
  };
  ping();
  await withTimeout(finished, 300_000, "ping-pong");
  a.onMsg = b.onMsg = null;
  return { oneway, rtt };
}

async function handle(cmd) {
  switch (cmd.op) {
    case "login": {
      const st = await open(cmd.key, cmd.uid);
      const reached = cmd.expect ? arm(st, cmd.expect) : null;
      const t0 = performance.now();
      await st.im.login({ name: cmd.name, password: cmd.password });
      const loginMs = performance.now() - t0;
      if (!reached) return { loginMs };
      const at = await withTimeout(reached, 300_000, `${cmd.expect} messages after login`);
      return { loginMs, lastMs: at - t0, ...counts(st) };
    }
    case "expect": {
      const st = clients.get(cmd.key);
      const reached = arm(st, cmd.n);
      reply({ id: cmd.id, armed: true });
      await withTimeout(reached, 300_000, `${cmd.n} messages`);
      return { done: true, ...counts(st) };
    }
    case "profStart":
      if (!inspectorSession) {
        inspectorSession = new inspector.Session();
        inspectorSession.connect();
        await post("Profiler.enable");
        await post("Profiler.setSamplingInterval", { interval: 100 });
      }
      await post("Profiler.start");
      return {};
    case "profStop": {
      const { profile } = await post("Profiler.stop");
      await writeFile(cmd.file, JSON.stringify(profile));
      return {};
    }
    case "counts":
      return counts(clients.get(cmd.key));
    case "pingpong":
      return pingpong(clients.get(cmd.a), clients.get(cmd.b), cmd.n, cmd.warm);
    case "close": {
      const st = clients.get(cmd.key);
      clients.delete(cmd.key);
      if (st) await st.im.close();
      return {};
    }
    default:
      throw new Error(`unknown op ${cmd.op}`);
  }
}

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch {
    return;
  }
  if (cmd.op === "quit") process.exit(0);
  handle(cmd).then(
    (res) => reply({ id: cmd.id, ...res }),
    (err) => reply({ id: cmd.id, error: String((err && err.stack) || err) }),
  );
});
rl.on("close", () => process.exit(0));
