// A closed client must not keep Node alive. The Go js/wasm scheduler arms one setTimeout for its
// earliest Go timer and does not clear it when that timer is stopped, so a client closed while a
// long engine timer was armed (the heartbeat, a connect timeout) used to hold the process until
// the timer's original deadline. Each test runs a child Node process that starts such a timer,
// closes the client and returns from its script; the child must then exit on its own, well
// before the timer would have fired.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";

const INDEX = new URL("../dist/index.js", import.meta.url).href;

/** The engine timer the child leaves armed before close, in ms: far beyond EXIT_BOUND. */
const ARMED_MS = 60_000;
/** How long the child may take to exit once its script is done. */
const EXIT_BOUND = 5_000;
/** How long the child may take to load the module, log in and close. */
const START_BOUND = 30_000;

/**
 * The child: a client whose DNS lookup succeeds and whose socket never opens, so that the engine
 * waits for the connect timeout (ARMED_MS). It prints "armed" once the socket was asked for,
 * "closed" when close() resolved, then returns with nothing of its own left pending.
 */
const child = (logout) => `
import flooim, { memoryStorage } from ${JSON.stringify(INDEX)};

const json = (v) => new TextEncoder().encode(JSON.stringify(v));
const dns = {
  version: 2, app_status: "normal", dns_server_list: [],
  dns_list: [{ group_level: 0, clusters: [{
    ratel: [{ protocol: "https", host: "ratel.test" }],
    webim: [{ protocol: "https", host: "fire.test" }],
    rtc: [{ protocol: "https", host: "rtc.test" }],
  }] }],
};
let connected;
const connecting = new Promise((resolve) => (connected = resolve));
const platform = {
  storage: memoryStorage(),
  log() {},
  transport: {
    connect() { connected(); return {}; }, // never opens
    send() {},
    close() {},
  },
  http: {
    async request(req) {
      const data = req.url.includes("/app_dns") ? dns : {};
      return { status: 200, headers: { "content-type": "application/json" }, body: json({ code: 200, message: "", data }) };
    },
    async upload() { throw new TypeError("offline"); },
  },
};
const im = flooim({
  appid: "exit-test", autoLogin: false, dnsServer: "https://dns.test/v2/app_dns", logLevel: "error",
  connectTimeout: ${ARMED_MS}, heartbeatInterval: ${ARMED_MS}, platform,
});
await im.ready();
const login = im.tokenLogin("1001", "tok").catch(() => {});
await connecting;
await new Promise((resolve) => setTimeout(resolve, 50)); // let the engine go idle with its timer armed
console.log("armed");
${logout ? "await im.logout();" : ""}
await im.close();
await login;
console.log("closed");
`;

/**
 * Runs the child and resolves with its output and how long it lived after printing "closed". A
 * child still alive EXIT_BOUND after that is killed (lingered is then at least EXIT_BOUND), and so
 * is one that never gets there within START_BOUND.
 */
function runChild(source) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--input-type=module", "-e", source], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let closedAt = 0;
    let kill = setTimeout(() => proc.kill("SIGKILL"), START_BOUND);
    proc.stdout.on("data", (d) => {
      out += d;
      if (!closedAt && out.includes("closed\n")) {
        closedAt = Date.now();
        clearTimeout(kill);
        kill = setTimeout(() => proc.kill("SIGKILL"), EXIT_BOUND);
      }
    });
    proc.stderr.on("data", (d) => (err += d));
    proc.on("error", (e) => {
      clearTimeout(kill);
      reject(e);
    });
    proc.on("exit", (code, signal) => {
      clearTimeout(kill);
      resolve({ code, signal, out, err, lingered: closedAt ? Date.now() - closedAt : -1 });
    });
  });
}

for (const [name, logout] of [["close", false], ["logout then close", true]]) {
  test(`Node exits once the last client is closed (${name}) while an engine timer was armed`, async () => {
    const r = await runChild(child(logout));
    assert.match(r.out, /armed\n/, `the socket was asked for, so the connect timeout was armed; stderr: ${r.err}`);
    assert.match(r.out, /closed\n/, `close() resolved; stderr: ${r.err}`);
    assert.ok(r.lingered < EXIT_BOUND, `Node still alive ${r.lingered} ms after close (bound ${EXIT_BOUND} ms)`);
    assert.equal(r.signal, null, "not killed");
    assert.equal(r.code, 0, `exit status; stderr: ${r.err}`);
  });
}
