// The official web client's transport against the reference server: the real socket.io-client
// 2.x from npm (the library the official Floo web SDK embeds, pinned in harness.mjs), connected as
// that SDK connects (websocket transport only, to the fireplace host of the DNS reply), speaks
// XSYNC as the binary event "frame" (PROTOCOL.md §3.2). It logs in, exchanges a message each way
// with a floo-wasm client (the packed package, raw mode), edits a message with the "null" config
// and ext of the official clients (§9.3: relayed empty, floo-wasm keeps the old ones), lives through a stop and start of the
// server on the same data directory by reconnecting on its own, and exchanges messages again.
// Every wait is bounded and driven by events; nothing sleeps.
//
// Run: node --test npm/test/e2e/sio.test.mjs (scripts/test-e2e.sh runs it).

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { after, before, test } from "node:test";

import {
  APP_ID,
  befriend,
  cleanupAll,
  ensureUser,
  getProject,
  loadPackage,
  Recorder,
  restToken,
  startServer,
  uniqueName,
  withTimeout,
} from "./harness.mjs";

const PASSWORD = "e2e-secret-1";

// ---------------------------------------------------------------------------------------------
// A minimal protobuf codec for the few XSYNC messages this test writes and reads (xsync.proto).

/** Encodes fields [[number, value], ...]: numbers and bigints as varints, strings and bytes as
 * length-delimited, nested arrays as embedded messages; undefined values are skipped. */
function encode(fields) {
  const out = [];
  const varint = (v) => {
    let n = BigInt(v);
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) b |= 0x80;
      out.push(b);
    } while (n > 0n);
  };
  for (const [num, v] of fields) {
    if (v === undefined) continue;
    if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") {
      varint((num << 3) | 0);
      varint(typeof v === "boolean" ? Number(v) : v);
      continue;
    }
    const bytes = typeof v === "string" ? Buffer.from(v, "utf8") : Array.isArray(v) ? encode(v) : Buffer.from(v);
    varint((num << 3) | 2);
    varint(bytes.length);
    out.push(...bytes);
  }
  return Buffer.from(out);
}

/** Decodes a message into {field: [values]}: varints as bigints, length-delimited as Buffers. */
function decode(buf) {
  const fields = {};
  let i = 0;
  const varint = () => {
    let n = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++];
      n |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return n;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const num = key >> 3;
    let v;
    switch (key & 7) {
      case 0:
        v = varint();
        break;
      case 2: {
        const len = Number(varint());
        v = buf.subarray(i, i + len);
        i += len;
        break;
      }
      default:
        throw new Error(`unexpected wire type ${key & 7}`);
    }
    (fields[num] ??= []).push(v);
  }
  return fields;
}

const first = (m, n, def) => (m[n] ? m[n][0] : def);
const CMD = { UNREAD: 0, SYNC: 1, NOTICE: 2, PROVISION: 3 };
const STATUS_OK = 1n;

/** Frame{command, payload}, with every field written as the official clients do. */
const frame = (command, payload) => encode([[1, 0], [2, 0], [3, command], [4, payload]]);

// ---------------------------------------------------------------------------------------------
// The socket.io client, as the official web SDK drives it.

/** A socket.io 2.x connection that queues the XSYNC frames it receives. */
class SioClient {
  frames = [];
  #waiters = new Set();
  connects = 0;

  constructor(io, url) {
    this.socket = io(url, {
      transports: ["websocket"],
      reconnection: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 1000,
      timeout: 10_000,
    });
    this.socket.on("connect", () => {
      this.connects++;
      this.#wake();
    });
    this.socket.on("frame", (data) => {
      const f = decode(Buffer.from(data));
      this.frames.push({ command: Number(first(f, 3, 0n)), payload: decode(first(f, 4, Buffer.alloc(0))) });
      this.#wake();
    });
  }

  #wake() {
    for (const w of this.#waiters) w();
  }

  /** Waits until `check()` returns something other than undefined and resolves with it. */
  until(check, ms, what) {
    return withTimeout(
      new Promise((resolve) => {
        const w = () => {
          const v = check();
          if (v !== undefined) {
            this.#waiters.delete(w);
            resolve(v);
          }
        };
        this.#waiters.add(w);
        w();
      }),
      ms,
      what,
    );
  }

  /** Removes and returns the first queued frame of `command` matching `match`, waiting for it. */
  take(command, match, ms, what) {
    return this.until(
      () => {
        const i = this.frames.findIndex((f) => f.command === command && match(f.payload));
        return i < 0 ? undefined : this.frames.splice(i, 1)[0].payload;
      },
      ms,
      what,
    );
  }

  send(command, payload) {
    // A Buffer argument makes socket.io-client emit a binary event with one attachment.
    this.socket.emit("frame", frame(command, payload));
  }

  /** Sends Provision (as the official SDK does on every connect) and returns the reply. */
  async login(uid, token, guid) {
    this.send(CMD.PROVISION, encode([[2, [[1, uid], [2, 0]]], [6, token], [7, 6], [8, "3.0.0"], [10, guid], [13, "Web"]]));
    const reply = await this.take(CMD.PROVISION, () => true, 10_000, "Provision reply over socket.io");
    const status = decode(first(reply, 1, Buffer.alloc(0)));
    assert.equal(first(status, 1, 0n), STATUS_OK, `login refused: ${first(status, 2, "")}`);
    const xid = decode(reply[2][0]);
    return Number(first(xid, 2, 0n));
  }
}

// ---------------------------------------------------------------------------------------------

const ctx = { project: "", pkg: null, server: null, io: null, clients: [], sio: null };

before(async () => {
  ctx.project = await getProject();
  ctx.pkg = await loadPackage(ctx.project);
  ctx.io = createRequire(path.join(ctx.project, "package.json"))("socket.io-client");
  ctx.server = await startServer();
});

after(async () => {
  ctx.sio?.socket.close();
  for (const im of ctx.clients) await im.close().catch(() => {});
  await cleanupAll();
});

test("socket.io-client 2.x logs in, exchanges messages with floo-wasm, and survives a server restart", async () => {
  const base = ctx.server.base;
  const alice = { name: uniqueName("sioalice") };
  const bob = { name: uniqueName("siobob") };
  for (const u of [alice, bob]) {
    u.uid = Number(await ensureUser(base, u.name, PASSWORD));
    u.token = (await restToken(base, u.name, PASSWORD)).token;
  }
  await befriend(base, alice, bob);

  // The fireplace host from DNS, as the official client finds it.
  const dns = await (await fetch(`${base}/v2/app_dns?app_id=${APP_ID}`)).json();
  const cluster = (dns.data ?? dns).dns_list[0].clusters[0];
  const host = (cluster.ws?.[0] ?? cluster.webim[0]);
  const url = `${host.protocol}://${host.host}`;

  const version = createRequire(path.join(ctx.project, "package.json"))("socket.io-client/package.json").version;
  assert.match(version, /^2\./, "the official web SDK embeds socket.io-client 2.x");

  const sio = new SioClient(ctx.io, url);
  ctx.sio = sio;
  await sio.until(() => (sio.connects >= 1 ? true : undefined), 10_000, "socket.io connect");
  const sn = await sio.login(alice.uid, alice.token, "sio-e2e-device");
  assert.ok(sn > 0, "a deviceSN is assigned");
  sio.send(CMD.UNREAD, Buffer.alloc(0));
  await sio.take(CMD.UNREAD, () => true, 10_000, "UnreadDL over socket.io");

  const im = ctx.pkg.default({
    appid: APP_ID,
    dnsServer: `${base}/v2/app_dns`,
    ws: true,
    websocket: ctx.pkg.WebSocket,
    autoLogin: false,
    logLevel: "error",
    platform: { storage: ctx.pkg.memoryStorage() },
  });
  ctx.clients.push(im);
  const rec = new Recorder(im, ["loginSuccess", "onRosterMessage", "onRosterMessageReplace"]);
  await withTimeout(im.login({ name: bob.name, password: PASSWORD }), 20_000, "floo-wasm login");

  /** floo-wasm → socket.io: a Notice, then the pull. */
  let key = 0n;
  const receive = async (content) => {
    im.sysManage.sendRosterMessage({ uid: alice.uid, content });
    for (;;) {
      await sio.take(CMD.NOTICE, (n) => Number(first(decode(n[1][0]), 1, 0n)) === bob.uid, 30_000, `Notice of "${content}"`);
      sio.send(CMD.SYNC, encode([[1, [[1, bob.uid]]], [2, key]]));
      const dl = await sio.take(CMD.SYNC, (d) => d[5] === undefined, 10_000, "SyncDL");
      key = first(dl, 3, key);
      const contents = (dl[2] ?? []).map((m) => String(first(decode(first(decode(m), 6, Buffer.alloc(0))), 4, "")));
      if (contents.includes(content)) return;
    }
  };
  /** socket.io → floo-wasm: the ack, then the message at bob's. */
  let mid = BigInt(Date.now()) * 1000n;
  const sendBody = async (body, what) => {
    mid++;
    const meta = [[1, mid], [2, [[1, alice.uid], [2, sn]]], [3, [[1, bob.uid]]], [4, Date.now()], [5, 1], [6, body]];
    sio.send(CMD.SYNC, encode([[3, meta]]));
    const ack = await sio.take(CMD.SYNC, (d) => first(d, 5, 0n) === mid, 15_000, `ack of ${what}`);
    assert.equal(first(decode(first(ack, 1, Buffer.alloc(0))), 1, 0n), STATUS_OK);
    const serverMid = first(ack, 6, 0n);
    assert.ok(serverMid > 0n, "a server message id");
    return serverMid;
  };
  const sendToBob = async (content, { config = "", ext = "" } = {}) => {
    const serverMid = await sendBody(encode([[1, 2], [4, content], [5, 0], [7, config], [9, ext]]), `"${content}"`);
    await rec.wait("onRosterMessage", (m) => m.content === content && String(m.from) === String(alice.uid), 30_000, `"${content}" at floo-wasm`);
    return serverMid;
  };

  await receive("hello socket.io");
  await sendToBob("hello floo-wasm");

  // An edit as the official client writes it: every field present, "null" for the config and ext
  // it does not change (PROTOCOL.md §9.3). floo-wasm must keep the message's config and ext.
  const target = await sendToBob("draft", { config: '{"mentionAll":false}', ext: '{"k":"v"}' });
  const op = [[1, 9], [2, target], [3, [[1, bob.uid], [2, 0]]]];
  await sendBody(encode([[1, 1], [4, "final"], [5, 6], [6, op], [7, "null"], [8, ""], [9, "null"]]), "REPLACE");
  const replaced = await rec.wait("onRosterMessageReplace", (m) => m.id === String(target), 30_000, "REPLACE at floo-wasm");
  assert.equal(replaced.content, "final");
  assert.deepEqual(replaced.config, { mentionAll: false }, "config kept through the null");
  assert.equal(replaced.ext, '{"k":"v"}', "ext kept through the null");
  assert.ok(!replaced.replaceExt, `no null relayed as the new ext: ${JSON.stringify(replaced.replaceExt)}`);
  assert.equal(replaced.replaceConfig, undefined, "no null relayed as the new config");

  // Stop the server and start it again on the same data: the socket.io client reconnects by itself
  // and logs in again on the new connection, with the same device.
  const connects = sio.connects;
  await ctx.server.stop();
  await ctx.server.start(ctx.server.addr);
  await sio.until(() => (sio.connects > connects ? true : undefined), 30_000, "socket.io reconnect");
  sio.frames.length = 0;
  assert.equal(await sio.login(alice.uid, alice.token, "sio-e2e-device"), sn, "same device after the restart");

  await sendToBob("after the restart, to floo-wasm");
  await receive("after the restart, to socket.io");
});
