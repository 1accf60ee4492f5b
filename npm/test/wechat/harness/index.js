// The emulated WeChat mini-program runtime and the reference server, for npm/test/wechat/*.test.js.

import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Device } from "./native.js";

export { Device } from "./native.js";
export { startMiniProgram } from "./runtime.js";
export { freePort, newUser, repoRoot, rest, startServer, goBinary } from "./server.js";
export { connectWebSocket } from "./websocket.js";

/** The package folder (npm/). */
export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
/** What the "miniprogram" field of package.json names: the folder "Build npm" copies. */
export const miniprogramDist = path.join(packageDir, "dist", "miniprogram");

/**
 * Lays out a mini-program code package in a temporary folder, as WeChat DevTools' "Build npm"
 * leaves it: dist/miniprogram copied to miniprogram_npm/floo-wasm/, plus the given files
 * ({"pages/x.js": "..."}). Returns the folder.
 */
export function makeCodePackage(files = {}) {
  const root = mkdtempSync(path.join(tmpdir(), "floo-mp-pkg-"));
  const npmDir = path.join(root, "miniprogram_npm", "floo-wasm");
  mkdirSync(npmDir, { recursive: true });
  for (const f of readdirSync(miniprogramDist)) cpSync(path.join(miniprogramDist, f), path.join(npmDir, f));
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(root, name);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return root;
}

/** A new phone with empty storage, in a temporary folder. */
export function newDevice() {
  return new Device(mkdtempSync(path.join(tmpdir(), "floo-mp-device-")));
}

/** Removes temporary folders, ignoring errors. */
export function cleanup(...dirs) {
  for (const d of dirs) if (d) rmSync(d, { recursive: true, force: true });
}

/** Resolves when check() returns a truthy value, polling; rejects after timeout ms with what. */
export async function waitFor(check, what, timeout = 15000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
