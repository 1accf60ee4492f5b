// The floo-wasm side of the end-to-end benchmark, shared by driver.mjs (Node) and chromium.mjs
// (a page in headless Chromium): clients with the SDK's defaults, each with a memory storage
// kept per key across instances (so a key is one device), and the commands the Go side sends
// (bench_test.go). It uses no Node or browser API beyond timers and performance.now().
//
//   {"id":1,"op":"login","key":"k","uid":"…","name":"…","password":"…","expect":N}
//       a new instance for key (the previous one is closed) logs in; answers
//       {"id":1,"loginMs":…} or, with expect, once N messages from others have arrived,
//       {"id":1,"loginMs":…,"lastMs":…,"msgs":…,"unread":…,"recent":…} (ms since login())
//   {"id":2,"op":"expect","key":"k","n":N}
//       answers {"id":2,"armed":true} at once, then {"id":2,"done":true,"msgs":…,"unread":…,
//       "recent":…} when N more messages from others have arrived
//   {"id":3,"op":"pingpong","a":"k1","b":"k2","n":1000,"warm":20}
//       a sends to b, b answers each message, rounds at least 30 ms apart; answers
//       {"id":3,"oneway":[ms…],"rtt":[ms…]}
//   {"id":4,"op":"counts","key":"k"}      {"id":4,"msgs":…,"unread":…,"recent":…} since the last arming
//   {"id":5,"op":"close","key":"k"}       {"id":5}
//
// Failures answer {"id":…,"error":"…"}. Nothing here decides what passes; the Go side reports.

// PING_GAP_MS is the least time between two pings: each client then sends at most 33 messages a
// second, under the outbox's pacing of 40 per second, so that the figures are latencies.
const PING_GAP_MS = 30;

function withTimeout(p, ms, what) {
  let timer;
  return Promise.race([
    p,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Returns handle(cmd), which runs one command and resolves with its answer (without the id);
 * `reply` sends intermediate answers. `flooim` and `memoryStorage` come from the package,
 * `websocket` is the WebSocket class in Node (undefined in a browser).
 */
export function createDriver({ flooim, memoryStorage, websocket, dnsServer, reply }) {
  const storages = new Map(); // key -> memory storage
  const clients = new Map(); // key -> client state

  async function open(key, uid) {
    const old = clients.get(key);
    if (old) await old.im.close();
    if (!storages.has(key)) storages.set(key, memoryStorage());
    const im = flooim({
      appid: "welovemaxim",
      dnsServer,
      ws: true,
      ...(websocket ? { websocket } : {}),
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

  return async function handle(cmd) {
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
  };
}
