// The real reference server (cmd/floo-server) for the tests: built once per run (or taken from
// FLOO_SERVER_BIN), started on a free port with a temporary data folder, and small REST helpers
// for the test setup (registering users, making friends and groups) that are not what is tested.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (npm/test/wechat/harness is four levels down). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

/** Builds a command of the repository (./cmd/NAME) into dir unless env names a binary already. */
export function goBinary(name, envVar, dir) {
  const given = process.env[envVar];
  if (given && existsSync(given)) return given;
  const out = path.join(dir, name);
  execFileSync("go", ["build", "-o", out, `./cmd/${name}`], { cwd: repoRoot, stdio: ["ignore", "inherit", "inherit"] });
  return out;
}

/**
 * Starts floo-server. Resolves with {url, appId, dns, stop(), bin}: url is the base URL
 * (http://127.0.0.1:PORT) and dns the DNS endpoint the clients are configured with. `publicURL`
 * replaces the address the DNS reply advertises (ratel and fireplace).
 */
export async function startServer({ appId = "wechattest", publicURL = "" } = {}) {
  const work = mkdtempSync(path.join(tmpdir(), "floo-wechat-"));
  const bin = goBinary("floo-server", "FLOO_SERVER_BIN", work);
  const port = await freePort();
  const args = ["-addr", `127.0.0.1:${port}`, "-data", path.join(work, "data"), "-app-id", appId, "-log-level", "warn"];
  if (publicURL) args.push("-public-url", publicURL);
  const child = spawn(bin, args, {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d.toString();
  });
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const addr = `127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    if (exited) throw new Error(`floo-server exited:\n${stderr}`);
    try {
      const r = await fetch(`http://${addr}/api/health`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`floo-server did not start:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // Only warnings go to stderr from now on; keep them for failure reports.
  const url = `http://${addr}`;
  return {
    url,
    appId,
    dns: `${url}/v2/app_dns`,
    work,
    logs: () => stderr,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** A free TCP port on 127.0.0.1: nothing listens on it, so connections to it are refused. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A REST call with the JSON envelope of REST.md §2.4; resolves with `data`, throws on a non-200 code. */
export async function rest(server, method, p, { token, body, query } = {}) {
  const u = new URL(server.url + p);
  for (const [k, v] of Object.entries(query || {})) u.searchParams.set(k, String(v));
  const headers = { app_id: server.appId, "content-type": "application/json" };
  if (token) headers["access-token"] = token;
  const res = await fetch(u, { method, headers, body: body === undefined ? (method === "GET" ? undefined : "{}") : JSON.stringify(body) });
  const text = await res.text();
  let env;
  try {
    env = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${p}: HTTP ${res.status} ${text.slice(0, 200)}`);
  }
  if (env.code !== 200) throw new Error(`${method} ${p}: code ${env.code} ${env.message}`);
  return env.data;
}

/** Registers a user and logs in over REST: {uid, token, name, password}. */
export async function newUser(server, name, password = "secret-pw") {
  await rest(server, "POST", "/user/register/v2", { body: { username: name, password } });
  const t = await rest(server, "POST", "/token/user", { body: { name, password } });
  return { uid: t.user_id, token: t.token, name, password };
}
