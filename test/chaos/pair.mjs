// One pair of floo-wasm clients in Node for the fault-injection suite (chaos_test.go runs it):
// the packed npm package installed in a project made by npm/test/e2e/harness.mjs ("prepare"),
// loaded with `ws` as its WebSocket. It logs both users in, then obeys commands read from stdin,
// one JSON object a line, and reports on stdout, one JSON object a line:
//
//   stdin  {"cmd":"send","side":"a","content":"…"}      send a one-to-one message to the other side
//          {"cmd":"quit"}                                 exit
//   stdout {"ev":"ready"}                                 both clients are logged in
//          {"ev":"posted","side":"a","content":"…","mid":"…"} or with "error" instead of "mid"
//          {"ev":"status","side":"a","mid":"…","status":"sent"|"failed","why":"…"}
//          {"ev":"recv","side":"b","content":"…"}          a live message from the other side
//          {"ev":"fatal","error":"…"}                      the pair cannot run
//
// Arguments: <project> <dnsServer> <nameA> <passwordA> <uidA> <nameB> <passwordB> <uidB>.
// Nothing here decides what passes: the Go side counts.

import path from "node:path";
import readline from "node:readline";
import { pathToFileURL } from "node:url";

const [project, dnsServer, nameA, pwA, uidA, nameB, pwB, uidB] = process.argv.slice(2);

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

process.on("uncaughtException", (err) => emit({ ev: "fatal", error: `uncaught: ${err && err.stack}` }));
process.on("unhandledRejection", (err) => emit({ ev: "fatal", error: `unhandled rejection: ${err && err.stack}` }));

const pkg = await import(pathToFileURL(path.join(project, "entry.mjs")).href);

const users = {
  a: { name: nameA, password: pwA, uid: uidA },
  b: { name: nameB, password: pwB, uid: uidB },
};
const clients = {};

for (const side of ["a", "b"]) {
  const peer = users[side === "a" ? "b" : "a"];
  // The SDK's defaults, as an app gets them; memory storage keeps the device for the whole run.
  const im = pkg.default({
    appid: "welovemaxim",
    dnsServer,
    ws: true,
    websocket: pkg.WebSocket,
    autoLogin: false,
    logLevel: "error",
    platform: { storage: pkg.memoryStorage() },
  });
  im.on("onRosterMessage", (m) => {
    if (String(m.from) === String(peer.uid) && !m.isHistory) emit({ ev: "recv", side, content: m.content });
  });
  im.on("onSendingMessageStatusChanged", (s) => {
    if (s.status !== "sent" && s.status !== "failed") return;
    const code = s.error && [s.error.name, s.error.code].filter((x) => x !== undefined).join(" ");
    emit({ ev: "status", side, mid: String(s.mid), status: s.status, why: `${code ?? ""} (${s.errorCode ?? 0} ${s.errorReason ?? ""})` });
  });
  clients[side] = { im, peer };
}

try {
  for (const side of ["a", "b"]) {
    const u = users[side];
    await clients[side].im.login({ name: u.name, password: u.password });
  }
} catch (err) {
  emit({ ev: "fatal", error: `login: ${err && (err.message || err)}` });
  process.exit(1);
}
emit({ ev: "ready" });

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch {
    return;
  }
  if (cmd.cmd === "quit") process.exit(0);
  if (cmd.cmd !== "send") return;
  const { im, peer } = clients[cmd.side];
  try {
    const mid = im.sysManage.sendRosterMessage({ uid: peer.uid, content: cmd.content });
    emit({ ev: "posted", side: cmd.side, content: cmd.content, mid: String(mid) });
  } catch (err) {
    emit({ ev: "posted", side: cmd.side, content: cmd.content, error: String((err && err.message) || err) });
  }
});
rl.on("close", () => process.exit(0));
