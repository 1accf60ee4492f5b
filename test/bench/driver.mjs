// floo-wasm clients in Node for the end-to-end benchmark (bench_test.go drives it): the packed
// npm package installed in a project made by npm/test/e2e/harness.mjs ("prepare"), loaded with
// `ws` as its WebSocket. It reads the commands of clients.mjs from stdin, one JSON object a line,
// and answers on stdout, one JSON object a line with the command's id. Two more commands profile
// this process:
//
//   {"id":6,"op":"profStart"}             start a CPU profile (node:inspector)
//   {"id":7,"op":"profStop","file":"…"}   stop it and write it to file (a .cpuprofile)
//   {"op":"quit"}
//
// Arguments: <project> <dnsServer>.

import { writeFile } from "node:fs/promises";
import inspector from "node:inspector";
import path from "node:path";
import readline from "node:readline";
import { pathToFileURL } from "node:url";

import { createDriver } from "./clients.mjs";

const [project, dnsServer] = process.argv.slice(2);
const pkg = await import(pathToFileURL(path.join(project, "entry.mjs")).href);

const reply = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
process.on("uncaughtException", (err) => reply({ fatal: `uncaught: ${err && err.stack}` }));
process.on("unhandledRejection", (err) => reply({ fatal: `unhandled rejection: ${err && err.stack}` }));

const handleClient = createDriver({ flooim: pkg.default, memoryStorage: pkg.memoryStorage, websocket: pkg.WebSocket, dnsServer, reply });

let session = null;
const post = (method, params) =>
  new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));

async function handle(cmd) {
  switch (cmd.op) {
    case "profStart":
      if (!session) {
        session = new inspector.Session();
        session.connect();
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
    default:
      return handleClient(cmd);
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
