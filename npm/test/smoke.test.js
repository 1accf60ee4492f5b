// Smoke test of the built package in Node, without any WebSocket: the wasm is instantiated, the
// Go module answers, and a client runs over fake transports.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

import flooim, { FlooClient, FlooError, initialize, managerMethods, memoryStorage } from "../dist/index.js";

const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));

/** A platform whose socket never opens and whose HTTP fails, recording requests. */
function fakePlatform() {
  const requests = [];
  return {
    requests,
    transport: { connect() { return {}; }, send() {}, close() {} },
    http: {
      async request(req) {
        requests.push(req);
        throw new TypeError("offline");
      },
      async upload() {
        throw new TypeError("offline");
      },
    },
    storage: memoryStorage(),
    log() {},
  };
}

test("the wasm module registers __flooWasm with the package version", async () => {
  await initialize();
  assert.equal(globalThis.__flooWasm.version, pkg.version);
  assert.equal(typeof globalThis.__flooWasm.newClient, "function");
});

test("flooim returns a client at once; calls wait for the module", async () => {
  const im = flooim({ appid: "smoke", autoLogin: false, platform: fakePlatform() });
  assert.ok(im instanceof FlooClient);
  assert.equal(im.isLogin(), false, "synchronous getters answer before ready");
  assert.equal(await im.ready(), im);
  assert.equal(im.isLogin(), false);
  assert.equal(im.isReady(), false);
  assert.equal(im.state(), "idle");
  assert.equal(im.userManage.getAppid(), "smoke");
  assert.equal(im.userManage.getUid(), undefined);
  assert.equal(im.userManage.getToken(), "");
  assert.deepEqual(im.sysManage.getServers(), { ratel: "", fireplace: "", rtc: "" });
  assert.equal(im.baseUrl, "");
  await im.close();
  assert.equal(im.state(), "closed");
});

test("rejections are FlooErrors", async () => {
  const im = flooim({ autoLogin: false, platform: fakePlatform() });
  await assert.rejects(im.login({ name: "", password: "" }), (e) => {
    assert.ok(e instanceof FlooError);
    assert.equal(e.sdkName, "SignInInvalidParam");
    assert.equal(e.code, 5);
    assert.equal(e.source, "client");
    return true;
  });
  await assert.rejects(im.login("alice"), (e) => e instanceof FlooError && e.sdkName === "InvalidParam");
  await assert.rejects(im.idLogin({ user_id: 1.5, password: "x" }), (e) => e.sdkName === "InvalidParam" && /user_id/.test(e.message));
  assert.throws(() => im.setLogLevel("loud"), (e) => e instanceof FlooError && e.sdkName === "InvalidParam");
  im.setLogLevel("error");
  const loggedOut = im.once("logout");
  await im.cleanup();
  assert.equal(await loggedOut, undefined, "cleanup logs out");
  await im.close();
  await assert.rejects(im.logout(), (e) => e instanceof FlooError && /closed/.test(e.message));
});

test("every official manager method exists and reaches the engine", async () => {
  const im = flooim({ autoLogin: false, platform: fakePlatform() });
  for (const [manager, methods] of Object.entries(managerMethods)) {
    for (const m of methods) assert.equal(typeof im[manager][m], "function", `${manager}.${m}`);
  }
  await assert.rejects(im.rosterManage.asyncGetRosterIdList(true), (e) => e.sdkName === "UserNotLogin" && /needs a logged-in session/.test(e.message));
  await assert.rejects(im.groupManage.asncGetApplicationList({}), (e) => e.sdkName === "InvalidParam" && /group list/.test(e.message));
  await assert.rejects(im.rtcManage.joinRoom(), (e) => e.sdkName === "ServerRtcNotOpen");
  await im.close();
});

test("events reach listeners in order; a pending login settles on close", async (t) => {
  const platform = fakePlatform();
  const im = flooim({ autoLogin: false, dnsServer: "https://dns.example.com/v2/app_dns", platform });
  t.after(() => im.close()); // also when an assertion fails: a live client keeps Node running
  const states = [];
  const first = im.once("connectionStateChanged");
  const onState = ({ state }) => states.push(state);
  im.on("connectionStateChanged", onState);
  im.on("connectionStateChanged", onState); // de-duplicated by identity
  im.on("connectionStateChanged", () => {
    throw new Error("a broken listener does not stop the others");
  });
  const login = im.tokenLogin("1001", "tok");
  assert.equal((await first).state, "connecting");
  assert.equal(states[0], "connecting");
  for (let i = 1; i < states.length; i++) {
    assert.notEqual(states[i], states[i - 1], "each listener is called once per event");
  }
  assert.ok(platform.requests.length > 0, "the DNS lookup was attempted");
  assert.ok(platform.requests[0].url.startsWith("https://dns.example.com/v2/app_dns"));
  assert.ok(platform.requests[0].body === null || platform.requests[0].body instanceof Uint8Array);
  await im.close();
  await assert.rejects(login, (e) => e instanceof FlooError);
});

test("clients are independent", async () => {
  const a = flooim({ appid: "app-a", autoLogin: false, platform: fakePlatform() });
  const b = flooim({ appid: "app-b", autoLogin: false, platform: fakePlatform() });
  await Promise.all([a.ready(), b.ready()]);
  assert.equal(a.userManage.getAppid(), "app-a");
  assert.equal(b.userManage.getAppid(), "app-b");
  await a.close();
  assert.equal(b.isLogin(), false, "closing one leaves the other working");
  assert.equal(b.userManage.getAppid(), "app-b");
  await b.close();
});

test("a bad configuration rejects ready()", async () => {
  const im = flooim({ logLevel: "loud", platform: fakePlatform() });
  await assert.rejects(im.ready(), (e) => e instanceof FlooError && e.sdkName === "InvalidParam" && /LogLevel/.test(e.message));
  await assert.rejects(im.login({ name: "a", password: "b" }), (e) => e.sdkName === "InvalidParam");
  await im.close();
});
